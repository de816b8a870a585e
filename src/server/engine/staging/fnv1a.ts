/** FNV-1a 32-bit: the hash of a record's bytes in its lineage id and in the staging checksum. */
export const FNV_OFFSET_BASIS = 0x811c9dc5;
export const FNV_PRIME = 0x01000193;

/** FNV-1a 32-bit hash of bytes, as an unsigned number. */
export function fnv1a(buf: Uint8Array, start: number, end: number): number {
  let hash = FNV_OFFSET_BASIS;
  for (let p = start; p < end; p++) hash = Math.imul(hash ^ (buf[p] as number), FNV_PRIME);
  return hash >>> 0;
}
