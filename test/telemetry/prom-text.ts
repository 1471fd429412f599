/**
 * A strict reader of the Prometheus text exposition format (0.0.4), enough to check what /metrics
 * serves: HELP and TYPE before a family's samples, valid names and labels, float values, and for
 * histograms the `le` buckets, `+Inf`, `_sum` and `_count`.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}
export interface Family {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: Sample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
// Prometheus reads values with Go's strconv.ParseFloat, which takes Inf and NaN in any case;
// prom-client writes `Nan` for an event loop lag not measured yet.
const VALUE =
  '(?:[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?|[+-]?[Ii][Nn][Ff](?:[Ii][Nn][Ii][Tt][Yy])?|[Nn][Aa][Nn])';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
const SAMPLE_RE = new RegExp(
  `^(${NAME})(?:\\{((?:${LABEL}=${LABEL_VALUE})(?:,${LABEL}=${LABEL_VALUE})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`,
);
const HELP_RE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_RE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);

function parseValue(s: string): number {
  if (/^[+]?inf/i.test(s)) return Infinity;
  if (/^-inf/i.test(s)) return -Infinity;
  if (/^nan$/i.test(s)) return NaN;
  return Number(s);
}

function parseLabels(s: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!s) return out;
  const re = new RegExp(`(${LABEL})=(${LABEL_VALUE}),?`, 'y');
  let m: RegExpExecArray | null;
  while ((m = re.exec(s))) {
    if (m[1] in out) throw new Error(`duplicate label ${m[1]}`);
    out[m[1]] = m[2].slice(1, -1).replace(/\\(["\\n])/g, (_, c: string) => (c === 'n' ? '\n' : c));
  }
  return out;
}

/** Throws on the first line that breaks the format; returns the families by name. */
export function parsePrometheusText(text: string): Map<string, Family> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, Family>();
  const help = new Map<string, string>();
  let current: Family | undefined;
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      const where = `line ${i + 1}: ${line}`;
      if (line === '') return;
      let m: RegExpExecArray | null;
      if ((m = HELP_RE.exec(line))) {
        if (help.has(m[1])) throw new Error(`second HELP for ${m[1]} (${where})`);
        help.set(m[1], m[2]);
        return;
      }
      if ((m = TYPE_RE.exec(line))) {
        if (families.has(m[1])) throw new Error(`second TYPE for ${m[1]} (${where})`);
        if (!help.has(m[1])) throw new Error(`TYPE before HELP for ${m[1]} (${where})`);
        current = { name: m[1], help: help.get(m[1])!, type: m[2] as Family['type'], samples: [] };
        families.set(m[1], current);
        return;
      }
      if (line.startsWith('#')) throw new Error(`unknown comment (${where})`);
      m = SAMPLE_RE.exec(line);
      if (!m) throw new Error(`not a sample (${where})`);
      const name = m[1];
      if (!current) throw new Error(`sample before any TYPE (${where})`);
      const suffixes =
        current.type === 'histogram'
          ? ['_bucket', '_sum', '_count']
          : current.type === 'summary'
            ? ['', '_sum', '_count']
            : [''];
      if (!suffixes.some((s) => name === current!.name + s)) {
        throw new Error(`sample ${name} outside its family ${current.name} (${where})`);
      }
      const labels = parseLabels(m[2]);
      if (name.endsWith('_bucket') && current.type === 'histogram' && labels.le === undefined) {
        throw new Error(`bucket without le (${where})`);
      }
      current.samples.push({ name, labels, value: parseValue(m[3]) });
    });
  for (const f of families.values()) {
    if (f.type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const s of f.samples.filter((x) => x.name.endsWith('_bucket'))) {
      const rest = { ...s.labels };
      delete rest.le;
      const key = JSON.stringify(rest);
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    for (const [key, buckets] of series) {
      const last = buckets[buckets.length - 1];
      if (last.labels.le !== '+Inf') throw new Error(`${f.name}${key}: no +Inf bucket`);
      for (let i = 1; i < buckets.length; i++) {
        if (buckets[i].value < buckets[i - 1].value)
          throw new Error(`${f.name}${key}: buckets not cumulative`);
      }
      const count = f.samples.find((s) => s.name === `${f.name}_count` && JSON.stringify(s.labels) === key);
      if (!count || count.value !== last.value) throw new Error(`${f.name}${key}: _count differs from +Inf`);
      if (!f.samples.some((s) => s.name === `${f.name}_sum` && JSON.stringify(s.labels) === key)) {
        throw new Error(`${f.name}${key}: no _sum`);
      }
    }
  }
  return families;
}

export function sampleValue(
  families: Map<string, Family>,
  family: string,
  labels: Record<string, string>,
  name = family,
): number | undefined {
  const f = families.get(family);
  const s = f?.samples.find(
    (x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v),
  );
  return s?.value;
}
