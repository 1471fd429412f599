/** ANSI colours, only ever applied when the caller asked for colour. */
export type Paint = (text: string) => string;

const code =
  (open: number): Paint =>
  (text) =>
    `\u001b[${open}m${text}\u001b[0m`;

export interface Palette {
  green: Paint;
  red: Paint;
  yellow: Paint;
  cyan: Paint;
  dim: Paint;
  bold: Paint;
}

const plain: Paint = (text) => text;

export function palette(color: boolean): Palette {
  if (!color) return { green: plain, red: plain, yellow: plain, cyan: plain, dim: plain, bold: plain };
  return { green: code(32), red: code(31), yellow: code(33), cyan: code(36), dim: code(2), bold: code(1) };
}
