/**
 * Task-level `cpu` and `memory` as AWS reads them, in one place for the planner, the sandbox and
 * validation. AWS accepts CPU as units (`"1024"`) or vCPUs (`"1 vCPU"`, `"0.25 vcpu"`), and memory
 * as MiB (`"512"`) or GB (`"1GB"`, `"1 GB"`), and stores the plain numbers (`"256"`, `"1024"`).
 */

/** `"0.25 vCPU"` -> `"256"`, `"1024"` -> `"1024"`; undefined for a spelling AWS rejects. */
export function canonicalTaskCpu(value: string): string | undefined {
  return canonical(value, /^(\d*\.?\d+)\s*(vcpu)?$/i, 1024);
}

/** `"1 GB"` -> `"1024"`, `"512"` -> `"512"`; undefined for a spelling AWS rejects (`"1 GiB"`). */
export function canonicalTaskMemory(value: string): string | undefined {
  return canonical(value, /^(\d*\.?\d+)\s*(gb)?$/i, 1024);
}

function canonical(value: string, pattern: RegExp, unitFactor: number): string | undefined {
  const m = pattern.exec(value.trim());
  if (!m) return undefined;
  const n = Number(m[1]) * (m[2] ? unitFactor : 1);
  return Number.isInteger(n) && n > 0 ? String(n) : undefined;
}
