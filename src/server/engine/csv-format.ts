import type { z } from "zod";
import type csvSource from "@/nodes/sources/csv";
import { ZCsvFormat, type TCsvFormat } from "./csv/format";

/**
 * The format a CSV source reads with: what was detected when the file was uploaded,
 * overridden by whatever the node's config sets explicitly.
 */
export function csvFormatOf(config: z.output<typeof csvSource.config>, upload: { format: Record<string, unknown> }): TCsvFormat {
  const explicit = Object.fromEntries(
    (["delimiter", "quote", "header", "encoding"] as const).filter((k) => config[k] !== undefined).map((k) => [k, config[k]]),
  );
  return ZCsvFormat.parse({ ...upload.format, ...explicit });
}
