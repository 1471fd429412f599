/**
 * Generates crds/taskdef.schema.json and crds/service.schema.json from the AWS SDK's own request
 * types, so the schemas follow the SDK version we pin instead of a hand-maintained copy.
 *
 *   npx tsx scripts/generate-crds.ts [OUT_DIR]     (npm run crds; OUT_DIR defaults to crds/)
 *
 * crds/cluster.schema.json is hand-written; it references definitions of service.schema.json.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

type JsonSchema = Record<string, unknown>;

const ROOT = path.resolve(__dirname, '..');
const SDK_INDEX = path.join(ROOT, 'node_modules/@aws-sdk/client-ecs/dist-types/index.d.ts');
const OUT_DIR = path.resolve(process.argv[2] ?? path.join(ROOT, 'crds'));

/**
 * The SDK types every number as `number`; the API model knows Integer from Double. Most ECS numbers
 * are integers, so we default to integer and list the known Doubles (plus a doc-text heuristic).
 */
const DOUBLE_MEMBERS = new Set([
  'CanaryConfiguration.canaryPercent',
  'LinearConfiguration.stepPercent',
  'MemoryGiBPerVCpuRequest.min',
  'MemoryGiBPerVCpuRequest.max',
  'NetworkBandwidthGbpsRequest.min',
  'NetworkBandwidthGbpsRequest.max',
  'TotalLocalStorageGBRequest.min',
  'TotalLocalStorageGBRequest.max',
]);

/** First sentence of a JSDoc comment, without HTML. */
export function firstSentence(doc: string): string {
  const text = doc
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
  const m = /^(.*?[.!?])(\s+[A-Z(]|$)/.exec(text);
  return (m ? m[1] : text).trim();
}

class Generator {
  readonly definitions: Record<string, JsonSchema> = {};
  private readonly inProgress = new Set<string>();

  constructor(private readonly checker: ts.TypeChecker) {}

  private describe(sym: ts.Symbol): string | undefined {
    const doc = ts.displayPartsToString(sym.getDocumentationComment(this.checker));
    const s = firstSentence(doc);
    return s ? s : undefined;
  }

  /** Schema for a type; named interfaces, enums and unions become `definitions` entries. */
  schemaFor(type: ts.Type, owner: string, member: string, doc: string): JsonSchema {
    const c = this.checker;
    // Smithy documents are free-form JSON.
    if (type.aliasSymbol?.getName() === 'DocumentType') return {};
    if (type.isUnion()) {
      const parts = type.types.filter((t) => !(t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null)));
      if (parts.length === 1 && !type.aliasSymbol) return this.schemaFor(parts[0], owner, member, doc);
      if (parts.every((t) => t.isStringLiteral())) {
        const values = parts.map((t) => t.value);
        const schema: JsonSchema = { type: 'string', enum: values };
        const name = type.aliasSymbol?.getName();
        return name ? this.define(name, () => schema) : schema;
      }
      if (parts.length === 2 && parts.every((t) => t.flags & ts.TypeFlags.BooleanLiteral)) {
        return { type: 'boolean' };
      }
      const aliasName = type.aliasSymbol?.getName();
      if (aliasName && parts.every((t) => t.getFlags() & ts.TypeFlags.Object)) {
        return this.define(aliasName, () => this.taggedUnion(parts, aliasName));
      }
      if (parts.length === 1) return this.schemaFor(parts[0], owner, member, doc);
      return { anyOf: parts.map((p) => this.schemaFor(p, owner, member, doc)) };
    }
    if (type.flags & ts.TypeFlags.String) return { type: 'string' };
    if (type.flags & ts.TypeFlags.Boolean || type.flags & ts.TypeFlags.BooleanLiteral) {
      return { type: 'boolean' };
    }
    if (type.flags & ts.TypeFlags.Number) {
      const isDouble = DOUBLE_MEMBERS.has(`${owner}.${member}`) || /multiples of 0\.\d|decimal/i.test(doc);
      return { type: isDouble ? 'number' : 'integer' };
    }
    if (type.flags & ts.TypeFlags.Any || type.flags & ts.TypeFlags.Unknown) return {};
    if (type.isStringLiteral()) return { type: 'string', enum: [type.value] };
    if (c.isArrayType(type)) {
      const [item] = c.getTypeArguments(type as ts.TypeReference);
      return { type: 'array', items: this.schemaFor(item, owner, member, doc) };
    }
    if (c.isTupleType(type)) return { type: 'array' };
    const symName = type.getSymbol()?.getName();
    if (symName === 'Date') return { type: 'string', format: 'date-time' };
    if (symName === 'Uint8Array') return { type: 'string' };
    const stringIndex = c.getIndexInfoOfType(type, ts.IndexKind.String);
    if (stringIndex && type.getProperties().length === 0) {
      return {
        type: 'object',
        additionalProperties: this.schemaFor(stringIndex.type, owner, member, doc),
      };
    }
    if (type.flags & ts.TypeFlags.Object && symName && symName !== '__type') {
      return this.define(symName, () => this.objectSchema(type, symName));
    }
    throw new Error(`unsupported type ${c.typeToString(type)} at ${owner}.${member}`);
  }

  private define(name: string, build: () => JsonSchema): JsonSchema {
    const ref = { $ref: `#/definitions/${name}` };
    if (this.definitions[name] || this.inProgress.has(name)) return ref;
    this.inProgress.add(name);
    this.definitions[name] = build();
    this.inProgress.delete(name);
    return ref;
  }

  objectSchema(type: ts.Type, name: string, opts: { requireNone?: boolean } = {}): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    const required: string[] = [];
    for (const prop of type.getProperties()) {
      const key = prop.getName();
      const decl = prop.valueDeclaration ?? prop.declarations?.[0];
      if (!decl) continue;
      const propType = this.checker.getTypeOfSymbolAtLocation(prop, decl);
      if (propType.flags & ts.TypeFlags.Never) continue;
      const docText = ts.displayPartsToString(prop.getDocumentationComment(this.checker));
      const schema = this.schemaFor(propType, name, key, docText);
      const description = this.describe(prop);
      properties[key] = description ? { description, ...schema } : schema;
      if (!(prop.flags & ts.SymbolFlags.Optional) && !opts.requireNone) required.push(key);
    }
    const out: JsonSchema = { type: 'object', properties, additionalProperties: false };
    if (required.length) out.required = required;
    return out;
  }

  /** SDK tagged unions (`X.AMember | X.$UnknownMember`): an object with exactly one known member. */
  private taggedUnion(parts: ts.Type[], name: string): JsonSchema {
    const properties: Record<string, JsonSchema> = {};
    for (const part of parts) {
      for (const prop of part.getProperties()) {
        const key = prop.getName();
        if (key === '$unknown' || properties[key]) continue;
        const decl = prop.valueDeclaration ?? prop.declarations?.[0];
        if (!decl) continue;
        const propType = this.checker.getTypeOfSymbolAtLocation(prop, decl);
        if (propType.flags & ts.TypeFlags.Never) continue;
        const nonUndefined = propType.isUnion()
          ? propType.types.filter((t) => !(t.flags & ts.TypeFlags.Undefined))
          : [propType];
        if (nonUndefined.every((t) => t.flags & ts.TypeFlags.Never)) continue;
        const docText = ts.displayPartsToString(prop.getDocumentationComment(this.checker));
        properties[key] = this.schemaFor(propType, name, key, docText);
      }
    }
    return {
      type: 'object',
      description: 'Specify exactly one member.',
      properties,
      additionalProperties: false,
      minProperties: 1,
      maxProperties: 1,
    };
  }
}

function sortedDefinitions(defs: Record<string, JsonSchema>): Record<string, JsonSchema> {
  const out: Record<string, JsonSchema> = {};
  for (const k of Object.keys(defs).sort()) out[k] = defs[k];
  return out;
}

function buildSchema(
  checker: ts.TypeChecker,
  exports: Map<string, ts.Symbol>,
  typeName: string,
  opts: { title: string; description: string; required: string[]; omit: string[] },
): JsonSchema {
  const sym = exports.get(typeName);
  if (!sym) throw new Error(`${typeName} not exported by the SDK`);
  const type = checker.getDeclaredTypeOfSymbol(sym);
  const gen = new Generator(checker);
  const top = gen.objectSchema(type, typeName, { requireNone: true });
  const props = top.properties as Record<string, JsonSchema>;
  for (const k of opts.omit) delete props[k];
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: opts.title,
    description: opts.description,
    type: 'object',
    properties: {
      $schema: { type: 'string', description: 'The JSON Schema of this file, for editors.' },
      ...props,
    },
    ...(opts.required.length ? { required: opts.required } : {}),
    additionalProperties: false,
    definitions: sortedDefinitions(gen.definitions),
  };
}

function main(): void {
  const program = ts.createProgram([SDK_INDEX], { skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(SDK_INDEX);
  if (!source) throw new Error(`cannot read ${SDK_INDEX}`);
  const moduleSym = checker.getSymbolAtLocation(source);
  if (!moduleSym) throw new Error('SDK index has no module symbol');
  const exports = new Map(checker.getExportsOfModule(moduleSym).map((s) => [s.getName(), s] as const));
  const sdkVersion = (
    JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/@aws-sdk/client-ecs/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

  const taskdef = buildSchema(checker, exports, 'RegisterTaskDefinitionRequest', {
    title: 'ecs-gitops task definition (NAME.taskdef)',
    description: `The body of an ECS RegisterTaskDefinition request (@aws-sdk/client-ecs ${sdkVersion}). The family defaults to the file name, prefixed with the cluster prefix.`,
    required: ['containerDefinitions'],
    omit: [],
  });
  const service = buildSchema(checker, exports, 'CreateServiceRequest', {
    title: 'ecs-gitops service (NAME.service, NAME.service.template)',
    description: `The body of an ECS CreateService request (@aws-sdk/client-ecs ${sdkVersion}). The service name is the file name; the cluster comes from cluster.yaml.`,
    required: [],
    omit: [],
  });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const [name, schema] of [
    ['taskdef.schema.json', taskdef],
    ['service.schema.json', service],
  ] as const) {
    fs.writeFileSync(path.join(OUT_DIR, name), JSON.stringify(schema, null, 2) + '\n');
    console.log(
      `wrote ${path.join(OUT_DIR, name)} (${Object.keys(schema.definitions as object).length} definitions)`,
    );
  }
}

main();
