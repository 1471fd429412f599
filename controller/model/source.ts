/** Where a value came from: a spec file, and where in it. Lines and columns are 1-based. */
export interface SourceRef {
  /** Path as the user gave it (relative to the working directory where possible). */
  file: string;
  line: number;
  column: number;
}

/**
 * One problem with the specs. Every loader error carries the file, the 1-based line and column,
 * and the field as a dotted path (`containerDefinitions[0].image`, or `` for the whole file).
 */
export interface SpecError {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
}

export function formatSpecError(e: SpecError): string {
  const where = `${e.file}:${e.line}:${e.column}`;
  return e.field ? `${where}: ${e.field}: ${e.message}` : `${where}: ${e.message}`;
}
