/**
 * Where the first byte sequence in buf[start, end) that is not UTF-8 begins, or -1. Only called
 * for records `isUtf8` already refused, to tell the person which byte is wrong.
 */
export function firstInvalidUtf8(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  while (p < end) {
    const lead = buf[p] as number;
    if (lead < 0x80) {
      p++;
      continue;
    }
    // The range the second byte must fall in (it is narrower after E0, ED, F0 and F4), and the length.
    let low = 0x80;
    let high = 0xbf;
    let length: number;
    if (lead >= 0xc2 && lead <= 0xdf) length = 2;
    else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      if (lead === 0xe0) low = 0xa0;
      if (lead === 0xed) high = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      length = 4;
      if (lead === 0xf0) low = 0x90;
      if (lead === 0xf4) high = 0x8f;
    } else return p;
    if (p + length > end) return p;
    const second = buf[p + 1] as number;
    if (second < low || second > high) return p;
    for (let k = 2; k < length; k++) {
      const next = buf[p + k] as number;
      if (next < 0x80 || next > 0xbf) return p;
    }
    p += length;
  }
  return -1;
}
