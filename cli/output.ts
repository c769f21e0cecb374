/** Output formatting: aligned tables and key/value blocks for people, raw JSON for scripts. */

type Cell = string | number | boolean | null | undefined;

/** Where the CLI writes; tests and commands never touch process.stdout directly. */
export interface Output {
  json: boolean;
  out(text: string): void;
  err(text: string): void;
}

/**
 * Characters a terminal acts on instead of showing: C0 controls and DEL, C1 controls (`\x9b`
 * starts a CSI on many terminals), and the bidi embeddings, overrides, isolates and marks.
 * `\x1b]52;...` would set the clipboard, `\x1b[2J` clear the screen.
 */
const TERMINAL_UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
const escapeChar = (c: string) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;

/**
 * Text safe to print: every unsafe character is shown as a visible `\uXXXX` escape (which also
 * keeps JSON output valid JSON). Tab and newline pass unless `oneLine` (a table cell, a field).
 */
export function terminalSafe(text: string, oneLine = false): string {
  return text.replace(TERMINAL_UNSAFE, (c) =>
    !oneLine && (c === '\n' || c === '\t') ? c : escapeChar(c),
  );
}

/** Writes `text` and a final newline, made terminal-safe: every line the CLI prints goes here. */
export function writeSafe(stream: NodeJS.WritableStream, text: string): void {
  const safe = terminalSafe(text);
  stream.write(safe.endsWith('\n') ? safe : `${safe}\n`);
}

/** The process's output, in JSON mode or not. */
export function processOutput(json: boolean): Output {
  return {
    json,
    out: (text) => writeSafe(process.stdout, text),
    err: (text) => writeSafe(process.stderr, text),
  };
}

function cellText(value: Cell): string {
  if (value === null || value === undefined || value === '') return '-';
  return terminalSafe(String(value), true);
}

/** Renders rows as a table with a header line; columns are padded to their widest cell. */
export function renderTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => headers.map((_, i) => cellText(row[i])));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers.map((h) => h.toUpperCase())), ...text.map(line)].join('\n');
}

/** Renders `key: value` lines with aligned values. */
export function renderFields(fields: [string, Cell][]): string {
  const width = Math.max(...fields.map(([k]) => k.length));
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${cellText(v)}`).join('\n');
}

/** Prints a body as JSON in JSON mode, or the human rendering otherwise. */
export function emit(output: Output, body: unknown, human: () => string): void {
  if (output.json) output.out(JSON.stringify(body ?? null, null, 2));
  else output.out(human());
}

/** Tells a person that more pages exist (stderr, so stdout stays clean). */
export function morePages(output: Output, nextCursor: string | null | undefined): void {
  if (nextCursor && !output.json) {
    output.err(`(more results: add --cursor ${nextCursor}, or --all)`);
  }
}

/** A comma list, or '-' when empty. */
export function list(values: readonly string[] | undefined): string {
  return values && values.length > 0 ? values.join(',') : '-';
}
