import { RESERVED_COLUMN_PREFIX } from "@/nodes/contract";

const MAX_NAME_BYTES = 63;
const utf8 = new TextEncoder();

function truncateToBytes(name: string, maxBytes: number): string {
  if (utf8.encode(name).length <= maxBytes) return name;
  let out = "";
  let bytes = 0;
  for (const char of name) {
    const size = utf8.encode(char).length;
    if (bytes + size > maxBytes) break;
    out += char;
    bytes += size;
  }
  return out;
}

/** `column_1`, `column_2`, … for files without a header. */
export function generatedColumnNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `column_${i + 1}`);
}

/**
 * Column names from a header record, made usable as PostgreSQL identifiers: trimmed, NUL
 * removed, cut to 63 bytes, `_sluice_…` (reserved for Sluice's own columns) renamed to
 * `sluice_…`, empty names replaced by `column_<position>`, and duplicates numbered
 * (`name`, `name_2`, `name_3`).
 */
export function columnNamesFromHeader(fields: readonly (string | null)[]): string[] {
  const used = new Set<string>();
  return fields.map((field, i) => {
    let name = (field ?? "").replaceAll("\u0000", "").trim();
    if (name.startsWith(RESERVED_COLUMN_PREFIX)) name = name.slice(1);
    name = truncateToBytes(name, MAX_NAME_BYTES);
    if (name === "") name = `column_${i + 1}`;
    let unique = name;
    for (let n = 2; used.has(unique); n++) {
      const suffix = `_${n}`;
      unique = truncateToBytes(name, MAX_NAME_BYTES - suffix.length) + suffix;
    }
    used.add(unique);
    return unique;
  });
}
