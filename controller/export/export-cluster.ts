/**
 * `export`: an existing cluster (as read from AWS) -> the files of a cluster directory that plans
 * zero field changes when applied back. Pure: the reading is in export/export-reader.ts, the writing in
 * cli/export.ts.
 */
import type { Cluster, Service } from '../model/aws-types';
import { stringify } from 'yaml';
import { parseTaskDefinitionArn, prefixedFamily, shortTaskDefinition } from '../model/naming';
import type { ObservedTaskDefinition } from '../model/observed';
import { TAG_OWNER, type TagMap } from '../model/ownership';
import { AUTOCREATE_MARKER } from '../model/taskdef-fields';
import { chooseServiceless, clusterOwner, type ClusterOwner } from './export-families';
import { serviceJson, taskDefinitionJson } from './export-format';
import { renamedFrom, sourceFile } from './export-names';
import { prefixChoice } from './export-prefix';
import { autocreates, serviceSpecBody } from './export-service';
import { exportedLoadBalancer, type LiveTargetGroups } from './export-load-balancer';
import type { OwnedRouting, ServiceTaskdef } from './export-routing';
import { isPlainObject, sortBy, type Obj } from '../plan/json-util';
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
  /**
   * Families under the prefix (`listingPrefix`) that no service runs, with their newest ACTIVE
   * revision; absent when they were not listed (a foreign cluster without `--families`).
   */
  serviceless?: Map<string, ObservedTaskDefinition | null>;
  /** The balancers of the services' target groups; absent when no service has one (or not read). */
  targetGroups?: LiveTargetGroups;
}

export interface ExportOptions {
  /** `--prefix`: the family prefix; families outside it are not exported (their services are pinned). */
  prefix?: string;
  /** `--families`: also the service-less families without ecs-gitops tags (a foreign cluster's). */
  families?: boolean;
}

export interface ExportedFile {
  /** File name within the cluster directory. */
  name: string;
  text: string;
  /** One line for people: what the file holds. */
  about: string;
  /** The spec file it was applied from, when that is not this plain file (a template, YAML). */
  from?: string;
}

export interface ClusterExport {
  prefix: string;
  /** cluster.yaml first, then by name. */
  files: ExportedFile[];
  /** What the user should know: pinned or skipped services, tags left out. */
  notes: string[];
  /** ecs-gitops manages the cluster (its ownership tags): no adoption needed. */
  owned: boolean;
}

interface TaskdefFile {
  family: string;
  basename: string;
  /** Set when the file name alone would not give the family back (see `taskdefFiles`). */
  familyField?: string;
  live: ObservedTaskDefinition;
  body: Obj;
  /** No service runs it. */
  serviceless: boolean;
}

/**
 * When only the service-less families break the prefix choice (`--families tools` beside services
 * that run `batch-*` families), say that rather than suggest `--prefix`: one directory has one prefix.
 */
function servicelessPrefixError(
  clusterName: string,
  live: LiveCluster,
  owner: ReturnType<typeof clusterOwner>,
  opts: ExportOptions,
  serviceless: { chosen: ReadonlyMap<string, unknown> },
): string | undefined {
  if (
    serviceless.chosen.size === 0 ||
    'error' in prefixChoice(clusterName, live.families, owner, opts.prefix)
  ) {
    return undefined;
  }
  return (
    `the families no service runs (${[...serviceless.chosen.keys()].sort().join(', ')}) share no family prefix ` +
    "with the services' families, and a cluster directory has one: export without --families, or with " +
    "--families naming the services' prefix"
  );
}

/**
 * On a cluster ecs-gitops manages, a family of ours left out of the export is one the planner would
 * retire: say so where it is left out (the round trip must not deregister a family silently).
 */
const PRUNE_WARNING =
  ' (this cluster is managed by ecs-gitops: until that file exists, applying this directory with prune: true deregisters the family)';

export function exportCluster(
  live: LiveCluster,
  opts: ExportOptions = {},
): ClusterExport | { error: string } {
  const clusterName = live.cluster.clusterName ?? '';
  const notes: string[] = [];
  const services = exportableServices(live, notes);
  const owner = clusterOwner(live.cluster);
  const serviceless = chooseServiceless(live.serviceless ?? new Map(), owner, opts.families === true);
  notes.push(...serviceless.notes);
  for (const [family, td] of serviceless.chosen) {
    if (!JSON.stringify(td.taskDefinition).includes(AUTOCREATE_MARKER)) continue;
    // As a file it would create a service that does not exist.
    serviceless.chosen.delete(family);
    notes.push(
      `family ${family} not exported: no service runs it, and as a file its ${AUTOCREATE_MARKER} would create one; ` +
        `write its .taskdef by hand without the marker${owner ? PRUNE_WARNING : ''}`,
    );
  }
  const all = new Map([...live.families, ...serviceless.chosen]);
  const choice = prefixChoice(clusterName, all, owner, opts.prefix);
  if ('error' in choice)
    return { error: servicelessPrefixError(clusterName, live, owner, opts, serviceless) ?? choice.error };
  const { prefix } = choice;
  for (const family of choice.outside.filter((f) => serviceless.chosen.has(f))) {
    notes.push(
      `family ${family} not exported: no service runs it, and it does not start with "${prefix}-"${owner ? PRUNE_WARNING : ''}`,
    );
  }
  const taskdefs = taskdefFiles(prefix, choice.kept, all, services);
  if ('error' in taskdefs) return taskdefs;

  const loadBalancer = exportedLoadBalancer(services, live.targetGroups, notes, {
    cluster: clusterName,
    owner,
    taskdefOf: (name) =>
      taskdefOf(
        services.find((s) => s.name === name),
        taskdefs,
        live,
      ),
  });
  const routing = loadBalancer?.routing;
  if (routing) withLabels(taskdefs, routing);
  const files: ExportedFile[] = [
    clusterFile(live, prefix, owner, loadBalancer?.section),
    ...taskdefs.map(taskdefFile),
  ];
  const ctx: ServiceContext = {
    live,
    prefix,
    outside: choice.outside,
    taskdefs,
    notes,
    ...(routing ? { routing } : {}),
  };
  for (const s of services) {
    const file = serviceFile(s, ctx);
    if (file) files.push(file);
  }
  files.sort((a, b) =>
    a.name === 'cluster.yaml' ? -1 : b.name === 'cluster.yaml' ? 1 : a.name < b.name ? -1 : 1,
  );
  return { prefix, files, notes, owned: owner !== undefined };
}

interface ExportableService {
  service: Service;
  tags: TagMap;
  name: string;
  arn: string;
}

/** The `.taskdef` a service runs, when it runs the revision the file holds. */
function taskdefOf(
  s: ExportableService | undefined,
  taskdefs: readonly TaskdefFile[],
  live: LiveCluster,
): ServiceTaskdef | undefined {
  const family = s && parseTaskDefinitionArn(s.arn)?.family;
  const file = taskdefs.find((t) => t.family === family);
  if (!s || !file || live.families.get(file.family)?.taskDefinition.taskDefinitionArn !== s.arn)
    return undefined;
  const containers = Array.isArray(file.body.containerDefinitions) ? file.body.containerDefinitions : [];
  return {
    family: file.family,
    networkMode: typeof file.body.networkMode === 'string' ? file.body.networkMode : 'bridge',
    containers: containers.filter(isPlainObject) as unknown as ServiceTaskdef['containers'],
  };
}

/** The labels export-routing.ts found a container must have, written into its `.taskdef`. */
function withLabels(taskdefs: readonly TaskdefFile[], routing: OwnedRouting): void {
  for (const t of taskdefs) {
    const byContainer = routing.labels.get(t.family);
    if (!byContainer || !Array.isArray(t.body.containerDefinitions)) continue;
    t.body = {
      ...t.body,
      containerDefinitions: t.body.containerDefinitions.map((c: unknown) => {
        const labels = isPlainObject(c) ? byContainer.get(String(c.name)) : undefined;
        return labels && isPlainObject(c) ? { ...c, dockerLabels: labels } : c;
      }),
    };
  }
}

/**
 * A service whose load balancer attachment ecs-gitops makes from its labels, without it: no
 * `loadBalancers`, and no grace period when it is the cluster's.
 */
function unattached(service: Service, routing: OwnedRouting | undefined, name: string): Service {
  if (!routing?.managed.has(name)) return service;
  const out = { ...service };
  delete out.loadBalancers;
  if ((out.healthCheckGracePeriodSeconds ?? 0) === routing.grace) delete out.healthCheckGracePeriodSeconds;
  return out;
}

/** The services that run a task definition revision, by name (the others get a note). */
function exportableServices(live: LiveCluster, notes: string[]): ExportableService[] {
  const out: ExportableService[] = [];
  for (const s of sortBy(live.services, (x) => x.service.serviceName ?? '')) {
    const name = s.service.serviceName ?? '';
    const arn = s.service.taskDefinition;
    if (!arn || !parseTaskDefinitionArn(arn)) {
      // An EXTERNAL deployment controller's service has task sets instead; ecs-gitops cannot manage it.
      notes.push(`service ${name} not exported: it has no task definition revision (${arn ?? 'none'})`);
      continue;
    }
    out.push({ ...s, name, arn });
  }
  return out;
}

function taskdefFile(t: TaskdefFile): ExportedFile {
  const body: Obj = { ...(t.familyField ? { family: t.familyField } : {}), ...t.body };
  const tags = specTags(t.live.tags);
  if (tags) body.tags = tags;
  const from = renamedFrom(t.live.tags, 'taskdef', t.basename);
  return {
    name: `${t.basename}.taskdef`,
    text: taskDefinitionJson(body),
    about:
      shortTaskDefinition(t.live.taskDefinition.taskDefinitionArn ?? t.family) +
      (t.serviceless ? ' (no service runs it)' : ''),
    ...(from ? { from } : {}),
  };
}

interface ServiceContext {
  live: LiveCluster;
  prefix: string;
  /** Families not under the prefix. */
  outside: readonly string[];
  taskdefs: readonly TaskdefFile[];
  notes: string[];
  /** The services the load balancer routes by their labels. */
  routing?: OwnedRouting;
}

/** A service's `.service` file; undefined when AUTOCREATE.SERVICE in its `.taskdef` gives it back. */
function serviceFile(s: ExportableService, ctx: ServiceContext): ExportedFile | undefined {
  const { prefix, notes } = ctx;
  const service = unattached(s.service, ctx.routing, s.name);
  const running = parseTaskDefinitionArn(s.arn)!;
  const file = ctx.taskdefs.find((t) => t.family === running.family);
  const newest = ctx.live.families.get(running.family)?.taskDefinition.taskDefinitionArn;
  const source = sourceFile(s.tags);
  const fromTaskdef = source === undefined || source.kind === 'taskdef';
  if (file && newest === s.arn && fromTaskdef && file.basename === s.name && hasMarker(file)) {
    // AUTOCREATE.SERVICE in its .taskdef creates it: a .service of the same name would win over
    // the marker, so it is written only when the live service differs from what the marker creates.
    const differs = specTags(s.tags)
      ? ['tags']
      : autocreates(service, file.family, { countMatters: source === undefined });
    if (differs.length === 0) return undefined;
    notes.push(
      `service ${s.name} written as ${s.name}.service: it differs from the one ${AUTOCREATE_MARKER} in ` +
        `${s.name}.taskdef creates (${differs.join(', ')})`,
    );
  }
  let taskDefinition: string;
  let about = `runs ${shortTaskDefinition(s.arn)}`;
  if (file && newest === s.arn) {
    taskDefinition = reference(file, ctx.taskdefs);
  } else {
    // A family's `.taskdef` holds its newest ACTIVE revision (what ecs-gitops compares with); a
    // service on any other revision keeps it by a pin, or applying would deploy the newest.
    taskDefinition = `${running.family}:${running.revision}`;
    const why = !file
      ? ctx.outside.includes(running.family)
        ? `family ${running.family} does not start with "${prefix}-"`
        : `family ${running.family} has no ACTIVE revision`
      : `the newest ACTIVE revision of ${running.family}, in ${file.basename}.taskdef, is ${shortTaskDefinition(newest ?? '')}`;
    about += ' (pinned)';
    notes.push(`service ${s.name} is pinned to ${taskDefinition}, the revision it runs: ${why}`);
  }
  const body: Obj = { taskDefinition, ...serviceSpecBody(service) };
  const tags = specTags(s.tags);
  if (tags) body.tags = tags;
  const from = renamedFrom(s.tags, 'service', s.name);
  return { name: `${s.name}.service`, text: serviceJson(body), about, ...(from ? { from } : {}) };
}

/**
 * One `.taskdef` per kept family, named after the spec file it was applied from (its source tag),
 * else after the family without the prefix. A `family` field is added where that name alone would
 * not give the family back: a name from the source tag that is not the rest of the family, a rest
 * that itself starts with `<prefix>-` (it would not be prefixed again), and a file renamed for
 * AUTOCREATE.SERVICE.
 */
function taskdefFiles(
  prefix: string,
  kept: readonly string[],
  families: ReadonlyMap<string, ObservedTaskDefinition | null>,
  services: readonly { name: string; arn: string }[],
): TaskdefFile[] | { error: string } {
  const out: TaskdefFile[] = [];
  const rests = new Set(kept.map((f) => f.slice(prefix.length + 1)));
  const running = new Set(services.map((s) => parseTaskDefinitionArn(s.arn)?.family));
  for (const family of kept) {
    const live = families.get(family);
    if (!live) continue;
    const rest = family.slice(prefix.length + 1);
    const src = sourceFile(live.tags);
    // A source name another family's file takes by default, or one already taken, is not used.
    const named =
      src?.kind === 'taskdef' &&
      (src.basename === rest || !rests.has(src.basename)) &&
      !out.some((t) => t.basename === src.basename);
    const basename = named ? src.basename : rest;
    out.push({
      family,
      basename,
      ...(prefixedFamily(prefix, basename) !== family ? { familyField: family } : {}),
      live,
      body: withoutTaskDefinitionDefaults(live.taskDefinition),
      serviceless: !running.has(family),
    });
  }
  // A task definition with AUTOCREATE.SERVICE gets a service named after its file unless a
  // `.service` of that name exists. If none does, the file takes the name of a service that runs the
  // family (with a `family` field), so that loading the directory creates no extra service.
  const serviceNames = new Set(services.map((s) => s.name));
  const used = new Set(out.map((t) => t.basename));
  for (const t of out) {
    if (serviceNames.has(t.basename) || !hasMarker(t)) continue;
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

function hasMarker(t: TaskdefFile): boolean {
  return JSON.stringify(t.body).includes(AUTOCREATE_MARKER);
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

function clusterFile(
  live: LiveCluster,
  prefix: string,
  managed: ClusterOwner | undefined,
  loadBalancer: Obj | undefined,
): ExportedFile {
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
  if (loadBalancer) doc.loadBalancer = loadBalancer;
  const header = managed
    ? `# Written by \`ecs-gitops export ${c.clusterName ?? ''}\`. ecs-gitops manages this cluster (owner id\n` +
      `# "${managed.ownerId}"): apply this directory to go on managing it from here.\n`
    : `# Written by \`ecs-gitops export ${c.clusterName ?? ''}\`. Its resources carry no ecs-gitops ownership tags\n` +
      '# yet: `ecs-gitops adopt` on this directory takes them over, so that the next apply manages them.\n';
  return {
    name: 'cluster.yaml',
    text: header + stringify(doc),
    about: `cluster ${c.clusterName ?? ''} (${live.region}), family prefix "${prefix}"`,
  };
}
