import { println } from './deps';

/** Prints `label  value` rows with the values aligned. */
export function printRows(stream: NodeJS.WritableStream, rows: readonly (readonly [string, string])[]): void {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  for (const [label, value] of rows) println(stream, `${label.padEnd(width)}${value}`);
}
