import { z } from "zod";

/**
 * How a CSV file is written. RFC 4180 quoting: a field starting with the quote character
 * runs to the next lone quote, `""` inside it is one quote, and it may hold delimiters and
 * line breaks. Records end at LF or CRLF, or at CR in files whose lines end in CR alone
 * (detected when the file is uploaded).
 */
export const ZCsvFormat = z.object({
  /** One character. Default `,`. */
  delimiter: z.string().length(1).default(","),
  /** One character. Default `"`. */
  quote: z.string().length(1).default('"'),
  /** Whether the first record names the columns. Default true. */
  header: z.boolean().default(true),
  /** Default utf-8; a UTF-8 byte order mark is skipped. latin1 is ISO-8859-1. */
  encoding: z.enum(["utf-8", "latin1"]).default("utf-8"),
  /** `cr` for files whose lines end in CR alone (classic Mac OS exports). */
  lineBreak: z.enum(["lf", "cr"]).default("lf"),
});
export type TCsvFormat = z.output<typeof ZCsvFormat>;
export type TCsvFormatInput = z.input<typeof ZCsvFormat>;

/** The format's delimiter, quote and line break as bytes, refusing characters that cannot work as either of the first two. */
export function formatBytes(format: TCsvFormat): { delimiter: number; quote: number; lineBreak: number } {
  const delimiter = format.delimiter.charCodeAt(0);
  const quote = format.quote.charCodeAt(0);
  const check = (what: string, code: number) => {
    if (code >= 0x80) throw new Error(`The CSV ${what} must be an ASCII character, not ${JSON.stringify(String.fromCharCode(code))}`);
    if (code === 0x0a || code === 0x0d) throw new Error(`The CSV ${what} cannot be a line break`);
  };
  check("delimiter", delimiter);
  check("quote character", quote);
  if (delimiter === quote) throw new Error("The CSV delimiter and quote character must differ");
  return { delimiter, quote, lineBreak: format.lineBreak === "cr" ? 0x0d : 0x0a };
}
