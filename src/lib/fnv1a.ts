/**
 * FNV-1a, 32 bits: a fast non-cryptographic hash for open-addressing tables. Two inputs: bytes, and the UTF-16 code
 * units of a string (the same result in every thread, no encoding step).
 */

const OFFSET_BASIS = 0x811c9dc5;
const PRIME = 0x01000193;

/** FNV-1a over bytes [0, len). */
export function fnv1aBytes(bytes: Uint8Array, len: number = bytes.length): number {
  let h = OFFSET_BASIS;
  for (let i = 0; i < len; i++) h = Math.imul(h ^ bytes[i]!, PRIME);
  return h >>> 0;
}

/** FNV-1a over the UTF-16 code units of a string. */
export function fnv1aString(s: string): number {
  let h = OFFSET_BASIS;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), PRIME);
  return h >>> 0;
}
