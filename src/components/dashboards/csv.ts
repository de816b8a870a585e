/** A column of a chart's data: what the CSV and the table alternative show. */
export interface TCsvColumn<Row> {
  label: string;
  value: (row: Row) => string | number | null | undefined;
  /** How the table shows the value; the CSV keeps the raw one. */
  format?: (row: Row) => string;
}

/** RFC 4180 quoting; a leading =, +, - or @ is prefixed with ' so spreadsheets do not run it as a formula. */
function cell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv<Row>(rows: Row[], columns: TCsvColumn<Row>[]): string {
  const lines = [columns.map((c) => cell(c.label)).join(",")];
  for (const row of rows) lines.push(columns.map((c) => cell(c.value(row))).join(","));
  return `${lines.join("\r\n")}\r\n`;
}
