import { unzipSync, type UnzipFileInfo } from 'fflate';
import { CheckpointError } from './errors.js';
import { firstBytes, sniffWeightsFile } from './sniff.js';

/** Size limits of the reader; everything is checked against them before it is allocated. */
export interface CheckpointLimits {
  /** Most bytes the archive's entries may take once extracted, all together, and the state dict's tensors (default 1 GiB). */
  maxTotalBytes: number;
  /** Most entries in the zip (default 100 000). */
  maxEntries: number;
  /** Most memo entries the pickle may store (default 10 000 000). */
  maxMemo: number;
  /** Deepest nesting read: pickle MARKs, modules inside modules, values inside values (default 1000). */
  maxDepth: number;
  /** Most module paths walked in a model (default 100 000; a real YOLO has a few hundred). */
  maxModules: number;
}

/** The default {@link CheckpointLimits}. */
export const DEFAULT_CHECKPOINT_LIMITS: Readonly<CheckpointLimits> = { maxTotalBytes: 2 ** 30, maxEntries: 100_000, maxMemo: 10_000_000, maxDepth: 1000, maxModules: 100_000 };

/** The parts of a torch.save zip archive. */
export interface TorchArchive {
  /** The archive's folder name (`best` for best.pt), without the slash. */
  name: string;
  /** `<name>/data.pkl`. */
  pickle: Uint8Array;
  /** The storages, by key (`<name>/data/<key>`). */
  storages: Map<string, Uint8Array>;
  /** Byte order of the storages (`<name>/byteorder`, little when absent as in torch < 2.1). */
  byteOrder: 'little' | 'big';
  /** The serialization format version (`<name>/version`, e.g. '3'), if present. */
  formatVersion?: string;
}

const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();

/** Says what a file that is not a torch.save zip is, and what to do, as a {@link CheckpointError}. */
function notAZip(bytes: Uint8Array, source: string): CheckpointError {
  const kind = sniffWeightsFile(bytes);
  const give = 'give the best.pt or last.pt that ultralytics training wrote (runs/detect/train*/weights/)';
  switch (kind) {
    case 'empty':
      return new CheckpointError('empty', source, `${source} is empty (0 bytes): it was never written or the download failed; ${give}`);
    case 'torch-legacy':
      return new CheckpointError(
        'legacy-format',
        source,
        `${source} is a torch.save file in the legacy, pre-1.6 format (magic number 0x1950a86a20f9469cfc6c), which plugconv does not read: ` +
          're-save it with torch>=1.6 (torch.save(obj, f), where _use_new_zipfile_serialization=True is the default), from a copy you trust',
      );
    case 'safetensors':
      return new CheckpointError(
        'safetensors',
        source,
        `${source} is a safetensors file (a bare state dict: no model class, config or names), not a PyTorch checkpoint (.pt): ` +
          'use it as weights together with its YAML config, or give the ultralytics best.pt instead',
      );
    case 'git-lfs-pointer':
      return new CheckpointError('not-a-checkpoint', source, `${source} is a Git LFS pointer (${bytes.length} bytes), not the weights: fetch the real file (git lfs pull)`);
    case 'html':
      return new CheckpointError('not-a-checkpoint', source, `${source} is an HTML page, not a checkpoint: the download fetched a web page; download the raw file`);
    case 'pickle':
      return new CheckpointError('not-a-checkpoint', source, `${source} is a bare pickle, not a torch.save archive: plugconv reads the zip files torch>=1.6 writes; ${give}`);
    default:
      return new CheckpointError(
        'not-a-checkpoint',
        source,
        `${source} is not a PyTorch checkpoint: torch.save writes a zip archive and this file starts with ${firstBytes(bytes)}; ${give}`,
      );
  }
}

/**
 * Finds the end-of-central-directory record and checks that it points at a central directory, which fflate
 * trusts (bytes cut out of a file's middle would give garbage entries). Zip64 offsets are left to fflate.
 */
function centralDirectory(bytes: Uint8Array): 'ok' | 'missing' | 'misplaced' {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let e = bytes.length - 22; e >= 0 && bytes.length - e <= 65557; e--) {
    if (v.getUint32(e, true) !== 0x06054b50) continue;
    const offset = v.getUint32(e + 16, true);
    const ok = v.getUint16(e + 10, true) === 0 || offset === 0xffffffff || (offset + 4 <= e && v.getUint32(offset, true) === 0x02014b50);
    return ok ? 'ok' : 'misplaced';
  }
  return 'missing';
}

/** Lists the zip's entries (no data is read). */
function listEntries(bytes: Uint8Array, source: string): UnzipFileInfo[] {
  const directory = centralDirectory(bytes);
  if (directory === 'missing') truncated(bytes, source, 'the end-of-archive record is missing');
  if (directory === 'misplaced') {
    throw new CheckpointError('bad-zip', source, `${source}: the zip archive is damaged (its central directory is not where its end record says): bytes were lost or changed; copy the file again`);
  }
  const entries: UnzipFileInfo[] = [];
  try {
    unzipSync(bytes, {
      filter: (f) => {
        entries.push(f);
        return false;
      },
    });
  } catch (e) {
    throw new CheckpointError('bad-zip', source, `${source}: the zip archive is damaged (${(e as Error).message}): copy the file again`);
  }
  return entries;
}

function truncated(bytes: Uint8Array, source: string, what: string): never {
  throw new CheckpointError('truncated', source, `${source} is a truncated zip (${bytes.length} bytes; ${what}): the file was cut short, e.g. by an interrupted download or copy; copy it again`);
}

/**
 * Opens a torch.save zip archive: finds `<name>/data.pkl`, its storages, byte order and version. Sizes are checked
 * against the buffer and `limits` before anything is extracted; files that are not such an archive get a
 * {@link CheckpointError} saying what they are (empty, legacy torch.save, safetensors, TorchScript, truncated...).
 */
export function openTorchArchive(bytes: Uint8Array, source: string, limits: CheckpointLimits = DEFAULT_CHECKPOINT_LIMITS): TorchArchive {
  if (sniffWeightsFile(bytes) !== 'zip') throw notAZip(bytes, source);
  const entries = listEntries(bytes, source);
  if (entries.length > limits.maxEntries) {
    throw new CheckpointError('too-large', source, `${source}: the zip has ${entries.length} entries, over the limit of ${limits.maxEntries}`);
  }
  const pkl = entries.find((e) => /^[^/]+\/data\.pkl$/.test(e.name)) ?? entries.find((e) => e.name === 'data.pkl');
  const name = pkl ? pkl.name.slice(0, -'data.pkl'.length) : '';
  if (entries.some((e) => e.name.startsWith(`${name}code/`) || e.name === `${name}constants.pkl`)) {
    throw new CheckpointError(
      'torchscript',
      source,
      `${source} is a TorchScript archive (torch.jit.save, e.g. ultralytics' export format=torchscript), which holds code, not a checkpoint: ` +
        'give the best.pt or last.pt that training wrote',
    );
  }
  if (!pkl) {
    const some = entries.slice(0, 5).map((e) => e.name).join(', ');
    throw new CheckpointError('not-a-checkpoint', source, `${source} is a zip but not a torch.save archive (no <name>/data.pkl; entries: ${some || 'none'})`);
  }
  let total = 0;
  for (const e of entries) {
    if (!e.name.startsWith(name)) continue;
    if (e.compression !== 0 && e.compression !== 8) {
      throw new CheckpointError('bad-zip', source, `${source}: zip entry ${e.name} uses compression method ${e.compression}; torch writes stored entries (re-save the file with torch.save)`);
    }
    if (e.size > bytes.length || (e.compression === 0 && e.size !== e.originalSize)) {
      truncated(bytes, source, `entry ${e.name} claims ${e.originalSize} bytes`);
    }
    total += e.originalSize;
  }
  if (total > limits.maxTotalBytes) {
    throw new CheckpointError('too-large', source, `${source}: its entries take ${total} bytes once extracted, over the limit of ${limits.maxTotalBytes}`);
  }
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (f) => f.name.startsWith(name) && f.name !== '__proto__' });
  } catch (e) {
    throw new CheckpointError('bad-zip', source, `${source}: the zip archive is damaged (${(e as Error).message}): copy the file again`);
  }
  for (const e of entries) {
    const got = files[e.name];
    if (e.name.startsWith(name) && got && got.length !== e.originalSize) {
      truncated(bytes, source, `entry ${e.name} has ${got.length} of its ${e.originalSize} bytes`);
    }
  }
  const byteOrder = files[`${name}byteorder`] ? text(files[`${name}byteorder`]!) : 'little';
  if (byteOrder !== 'little' && byteOrder !== 'big') {
    throw new CheckpointError('bad-zip', source, `${source}: unknown byte order ${JSON.stringify(byteOrder)} in ${name}byteorder`);
  }
  const storages = new Map<string, Uint8Array>();
  const prefix = `${name}data/`;
  for (const [path, data] of Object.entries(files)) if (path.startsWith(prefix)) storages.set(path.slice(prefix.length), data);
  const version = files[`${name}version`] ?? files[`${name}.data/version`];
  return {
    name: name.replace(/\/$/, ''),
    pickle: files[pkl.name]!,
    storages,
    byteOrder,
    ...(version ? { formatVersion: text(version) } : {}),
  };
}
