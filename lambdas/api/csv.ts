// RFC 4180 CSV for spreadsheet exports of event lists. Cells that a spreadsheet would run as a formula are
// prefixed with a quote (CSV injection), since diagnostics are text written by remote mail servers.
export type CsvCell = string | number | boolean | null;

function escapeCell(value: CsvCell): string {
  if (value === null) return '';
  let text = String(value);
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(columns: readonly string[], rows: Iterable<readonly CsvCell[]>): string {
  const lines = [columns.map(escapeCell).join(',')];
  for (const row of rows) lines.push(row.map(escapeCell).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
