/**
 * `export`: an existing cluster (as read from AWS) -> the files of a cluster directory that plans
 * zero field changes when applied back. Pure: the reading is in export/export-reader.ts, the writing in
 * cli/export.ts.
 */
import type { Cluster, Service } from '../model/aws-types';
import { stringify } from 'yaml';
import { parseTaskDefinitionArn, shortTaskDefinition } from '../model/naming';
import type { ObservedTaskDefinition } from '../model/observed';
import { TAG_OWNER, type TagMap } from '../model/ownership';
import { AUTOCREATE_MARKER } from '../model/taskdef-fields';
import { serviceJson, taskDefinitionJson } from './export-format';
import { choosePrefix } from './export-prefix';
import { serviceSpecBody } from './export-service';
import { sortBy, type Obj } from '../plan/json-util';
import { withoutTaskDefinitionDefaults } from '../plan/normalize-taskdef';

/** What `export` reads: the cluster, its services, and the newest revision of the families they run. */
export interface LiveCluster {
  cluster: Cluster;
  /** The region it was read in (written to cluster.yaml). */
  region: string;
  /** Every service that is not INACTIVE, with its tags. */
  services: { service: Service; tags: TagMap }[];
  /** The newest ACTIVE revision of each family a service runs, with its tags; null: none is ACTIVE. */
  families: Map<string, ObservedTaskDefinition | null>;
}

export interface ExportOptions {
  /** `--prefix`: the family prefix; families outside it are not exported (their services are pinned). */
  prefix?: string;
}

export interface ExportedFile {
  /** File name within the cluster directory. */
  name: string;
  text: string;
  /** One line for people: what the file holds. */
  about: string;
}

export interface ClusterExport {
  prefix: string;
  /** cluster.yaml first, then by name. */
  files: ExportedFile[];
  /** What the user should know: pinned or skipped services, tags left out. */
  notes: string[];
}

interface TaskdefFile {
  family: string;
  basename: string;
  /** Set when the file name alone would not give the family back (see `taskdefFiles`). */
  familyField?: string;
  live: ObservedTaskDefinition;
  body: Obj;
}

export function exportCluster(
  live: LiveCluster,
  opts: ExportOptions = {},
): ClusterExport | { error: string } {
  const clusterName = live.cluster.clusterName ?? '';
  const notes: string[] = [];
  const services: { service: Service; tags: TagMap; name: string; arn: string }[] = [];
  for (const s of sortBy(live.services, (x) => x.service.serviceName ?? '')) {
    const name = s.service.serviceName ?? '';
    const arn = s.service.taskDefinition;
    if (!arn || !parseTaskDefinitionArn(arn)) {
      // An EXTERNAL deployment controller's service has task sets instead; ecs-gitops cannot manage it.
      notes.push(`service ${name} not exported: it has no task definition revision (${arn ?? 'none'})`);
      continue;
    }
    services.push({ ...s, name, arn });
  }

  const withContent = [...live.families].filter(([, td]) => td !== null).map(([family]) => family);
  const choice = choosePrefix(clusterName, withContent, opts.prefix);
  if ('error' in choice) return { error: choice.error };
  const { prefix } = choice;
  const taskdefs = taskdefFiles(prefix, choice.kept, live.families, services);
  if ('error' in taskdefs) return taskdefs;
  const byFamily = new Map(taskdefs.map((t) => [t.family, t]));

  const files: ExportedFile[] = [clusterFile(live, prefix)];
  for (const t of taskdefs) {
    const body: Obj = { ...(t.familyField ? { family: t.familyField } : {}), ...t.body };
    const tags = specTags(t.live.tags);
    if (tags) body.tags = tags;
    files.push({
      name: `${t.basename}.taskdef`,
      text: taskDefinitionJson(body),
      about: shortTaskDefinition(t.live.taskDefinition.taskDefinitionArn ?? t.family),
    });
  }
  for (const s of services) {
    const running = parseTaskDefinitionArn(s.arn)!;
    const file = byFamily.get(running.family);
    const newest = live.families.get(running.family)?.taskDefinition.taskDefinitionArn;
    let taskDefinition: string;
    let about = `runs ${shortTaskDefinition(s.arn)}`;
    if (file && newest === s.arn) {
      taskDefinition = reference(file, taskdefs);
    } else {
      // A family's `.taskdef` holds its newest ACTIVE revision (what ecs-gitops compares with); a
      // service on any other revision keeps it by a pin, or applying would deploy the newest.
      taskDefinition = `${running.family}:${running.revision}`;
      const why = !file
        ? choice.outside.includes(running.family)
          ? `family ${running.family} does not start with "${prefix}-"`
          : `family ${running.family} has no ACTIVE revision`
        : `the newest ACTIVE revision of ${running.family}, in ${file.basename}.taskdef, is ${shortTaskDefinition(newest ?? '')}`;
      about += ' (pinned)';
      notes.push(`service ${s.name} is pinned to ${taskDefinition}, the revision it runs: ${why}`);
    }
    const body: Obj = { taskDefinition, ...serviceSpecBody(s.service) };
    const tags = specTags(s.tags);
    if (tags) body.tags = tags;
    files.push({ name: `${s.name}.service`, text: serviceJson(body), about });
  }
  files.sort((a, b) =>
    a.name === 'cluster.yaml' ? -1 : b.name === 'cluster.yaml' ? 1 : a.name < b.name ? -1 : 1,
  );
  return { prefix, files, notes };
}

/**
 * One `.taskdef` per kept family, named after the family without the prefix. A `family` field is
 * added where that name alone would not give the family back: when the rest itself starts with
 * `<prefix>-` (it would not be prefixed again), and when the file is renamed for AUTOCREATE.SERVICE.
 */
function taskdefFiles(
  prefix: string,
  kept: readonly string[],
  families: LiveCluster['families'],
  services: readonly { name: string; arn: string }[],
): TaskdefFile[] | { error: string } {
  const out: TaskdefFile[] = [];
  for (const family of kept) {
    const live = families.get(family);
    if (!live) continue;
    const basename = family.slice(prefix.length + 1);
    out.push({
      family,
      basename,
      ...(basename.startsWith(`${prefix}-`) ? { familyField: family } : {}),
      live,
      body: withoutTaskDefinitionDefaults(live.taskDefinition),
    });
  }
  // A task definition with AUTOCREATE.SERVICE gets a service named after its file unless a
  // `.service` of that name exists. If none does, the file takes the name of a service that runs the
  // family (with a `family` field), so that loading the directory creates no extra service.
  const serviceNames = new Set(services.map((s) => s.name));
  const used = new Set(out.map((t) => t.basename));
  for (const t of out) {
    if (serviceNames.has(t.basename) || !JSON.stringify(t.body).includes(AUTOCREATE_MARKER)) continue;
    const users = services
      .filter((s) => parseTaskDefinitionArn(s.arn)?.family === t.family)
      .map((s) => s.name);
    const name = users.find((n) => !used.has(n));
    if (name === undefined) {
      return {
        error:
          `task definition family ${t.family} contains ${AUTOCREATE_MARKER}, and no file name would keep ` +
          `ecs-gitops from creating a service "${t.basename}" for it: the services that run it (${users.join(', ')}) ` +
          'already name other task definition files',
      };
    }
    used.delete(t.basename);
    used.add(name);
    t.basename = name;
    t.familyField = t.family;
  }
  return sortBy(out, (t) => t.basename);
}

/**
 * How a `.service` names its task definition: the file's basename, as specs usually do, unless the
 * loader would read that as another family (a family or `family` field of that name); then the
 * family itself, which always resolves to exactly that file.
 */
function reference(file: TaskdefFile, all: readonly TaskdefFile[]): string {
  const clash = all.some(
    (t) => t !== file && (t.family === file.basename || t.familyField === file.basename),
  );
  return clash ? file.family : file.basename;
}

/**
 * The tags a spec file may carry: not AWS's own (`aws:` keys cannot be set) and not the ownership
 * tags (ecs-gitops sets those itself when it adopts).
 */
function specTags(tags: TagMap): { key: string; value: string }[] | undefined {
  const keys = Object.keys(tags)
    .filter((k) => !/^aws:/i.test(k) && !k.startsWith('ecs-gitops:'))
    .sort();
  return keys.length > 0 ? keys.map((key) => ({ key, value: tags[key] })) : undefined;
}

function clusterFile(live: LiveCluster, prefix: string): ExportedFile {
  const c = live.cluster;
  const doc: Obj = { name: c.clusterName, region: live.region, prefix };
  // A cluster ecs-gitops already manages under another owner id: keep it, or nothing would match.
  const owner = (c.tags ?? []).find((t) => t.key === TAG_OWNER)?.value;
  if (owner && owner !== c.clusterName) doc.ownerId = owner;
  if (c.capacityProviders && c.capacityProviders.length > 0) doc.capacityProviders = [...c.capacityProviders];
  const strategy = c.defaultCapacityProviderStrategy ?? [];
  if (strategy.length > 0) {
    // `base: 0` is AWS's default (the planner compares it as absent).
    doc.defaultCapacityProviderStrategy = strategy.map((i) => ({
      capacityProvider: i.capacityProvider,
      ...(i.weight !== undefined ? { weight: i.weight } : {}),
      ...(i.base ? { base: i.base } : {}),
    }));
  }
  const header =
    `# Written by \`ecs-gitops export ${c.clusterName ?? ''}\`. Its resources carry no ecs-gitops ownership tags\n` +
    '# yet: `ecs-gitops adopt` on this directory takes them over, so that the next apply manages them.\n';
  return {
    name: 'cluster.yaml',
    text: header + stringify(doc),
    about: `cluster ${c.clusterName ?? ''} (${live.region}), family prefix "${prefix}"`,
  };
}
