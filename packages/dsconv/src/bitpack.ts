/** Bytes that `count` values of `bits` bits occupy when packed: ceil(count * bits / 8). */
export function packedByteLength(count: number, bits: number): number {
  return Math.ceil((count * bits) / 8);
}

/**
 * Packs signed integers in [-2^(bits-1), 2^(bits-1) - 1] into a dense bit stream: value i is stored as the
 * unsigned offset v + 2^(bits-1) in bits [i*bits, (i+1)*bits) of the stream, least significant bit first.
 */
export function packBits(values: ArrayLike<number>, bits: number): Uint8Array {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) throw new Error(`packBits: bits must be an integer from 1 to 8, got ${bits}`);
  const offset = 2 ** (bits - 1);
  const out = new Uint8Array(packedByteLength(values.length, bits));
  let bit = 0;
  for (let i = 0; i < values.length; i++, bit += bits) {
    const v = values[i]!;
    const u = v + offset;
    if (!Number.isInteger(v) || u < 0 || u >= 2 * offset) {
      throw new Error(`packBits: value ${v} at index ${i} is not an integer in [${-offset}, ${offset - 1}]`);
    }
    const byte = bit >> 3;
    const shift = bit & 7;
    out[byte]! |= (u << shift) & 0xff;
    if (shift + bits > 8) out[byte + 1]! |= u >> (8 - shift);
  }
  return out;
}

/** Inverse of {@link packBits}: `count` signed integers of `bits` bits from a packed stream. */
export function unpackBits(bytes: Uint8Array, bits: number, count: number): Int32Array {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) throw new Error(`unpackBits: bits must be an integer from 1 to 8, got ${bits}`);
  const need = packedByteLength(count, bits);
  if (bytes.length !== need) throw new Error(`unpackBits: ${count} values of ${bits} bits need ${need} bytes, got ${bytes.length}`);
  const offset = 2 ** (bits - 1);
  const mask = (1 << bits) - 1;
  const out = new Int32Array(count);
  let bit = 0;
  for (let i = 0; i < count; i++, bit += bits) {
    const byte = bit >> 3;
    const shift = bit & 7;
    let u = bytes[byte]! >> shift;
    if (shift + bits > 8) u |= bytes[byte + 1]! << (8 - shift);
    out[i] = (u & mask) - offset;
  }
  return out;
}
