/** What a weights file is, judged from its first bytes. */
export type WeightsFileKind =
  /** No bytes. */
  | 'empty'
  /** A zip archive: torch.save (>= 1.6), or a TorchScript archive (told apart once the zip is listed). */
  | 'zip'
  /** torch.save's legacy, pre-1.6 format: a pickle starting with torch's magic number. */
  | 'torch-legacy'
  /** A bare pickle (not a torch.save archive). */
  | 'pickle'
  /** A safetensors file: 8-byte header length, then a JSON header. */
  | 'safetensors'
  /** A Git LFS pointer file standing in for the real one. */
  | 'git-lfs-pointer'
  /** An HTML page (a download that fetched a web page). */
  | 'html'
  /** None of the above. */
  | 'unknown';

/** torch.save's legacy magic number 0x1950a86a20f9469cfc6c as pickled first (PROTO 2, LONG1 of 10 bytes). */
const LEGACY_MAGIC = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

const startsWith = (b: Uint8Array, prefix: ArrayLike<number>) => b.length >= prefix.length && Array.prototype.every.call(prefix, (x: number, i: number) => b[i] === x);
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));

/** Tells a weights file's format from its first bytes (no parsing beyond them). */
export function sniffWeightsFile(bytes: Uint8Array): WeightsFileKind {
  if (bytes.length === 0) return 'empty';
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return 'zip';
  if (startsWith(bytes, LEGACY_MAGIC)) return 'torch-legacy';
  if (bytes[0] === 0x80 && bytes.length > 1 && bytes[1]! >= 2 && bytes[1]! <= 5) return 'pickle';
  if (bytes.length >= 10) {
    const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (n > 0n && 8n + n <= BigInt(bytes.length) && bytes[8] === 0x7b) return 'safetensors';
  }
  if (startsWith(bytes, ascii('version https://git-lfs'))) return 'git-lfs-pointer';
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512)).trimStart().toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html')) return 'html';
  return 'unknown';
}

/** The first bytes of a file in hex, for messages. */
export function firstBytes(bytes: Uint8Array, n = 8): string {
  return Array.from(bytes.subarray(0, n), (x) => x.toString(16).padStart(2, '0')).join(' ');
}
