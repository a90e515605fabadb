/**
 * Progress on stderr for long commands: one line rewritten in place on a
 * terminal, one line per update in a log (CI), so stdout keeps the result.
 */
export function progressLine(line: string): void {
  process.stderr.write(process.stderr.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
}

/** Ends a line written in place, before the result is printed. */
export function endProgress(): void {
  if (process.stderr.isTTY) process.stderr.write('\n');
}

/** `[#####-------]`: `fraction` (0..1) of `width` cells. */
export function progressBar(fraction: number, width = 24): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}
