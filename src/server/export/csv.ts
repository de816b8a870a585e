import { Readable } from "node:stream";
import type pg from "pg";
import { raw, sql, type Sql } from "@/nodes/sql";
import { query, queryArrays, transactionStream } from "../db/query";

/**
 * Spreadsheets run a cell that starts with one of these as a formula (tab and CR too, since
 * some strip them first); `'` in front makes them show it as text. Plain numbers such as
 * "-12.5" start with "-" but are not formulas, so they stay numbers.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

export function spreadsheetSafe(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? String(v) : v));
  return String(value as string | number | bigint | boolean);
}

/** One CSV cell (RFC 4180 quoting), safe to open in a spreadsheet. */
export function csvCell(value: unknown): string {
  const text = spreadsheetSafe(cellText(value));
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One CSV line, with its line break; every CSV Sluice writes goes through here. */
export function csvLine(cells: readonly unknown[]): string {
  return `${cells.map(csvCell).join(",")}\n`;
}

const FETCH_ROWS = 500;

/**
 * The rows of `select` as CSV under `header`, read through a server-side cursor a batch at a
 * time, so nothing is buffered beyond one batch and a slow client slows the reads. The caller
 * must consume or destroy the stream; the connection goes back to the pool either way.
 */
export async function streamQueryCsv(pool: pg.Pool, header: readonly string[], select: Sql): Promise<Readable> {
  const lines = await transactionStream(
    pool,
    // DECLARE takes no bind parameters: values become quoted literals through the builder's literal(), never pasted text.
    (client) => query(client, sql`DECLARE sluice_export NO SCROLL CURSOR FOR ${select}`, { literalValues: true }),
    async function* (client) {
      yield csvLine(header);
      for (;;) {
        const batch = await queryArrays(client, sql`FETCH ${raw(String(FETCH_ROWS))} FROM sluice_export`);
        if (batch.rows.length === 0) break;
        yield batch.rows.map(csvLine).join("");
      }
    },
    { readOnly: true },
  );
  return Readable.from(lines);
}
