"""The safetensors format, read and written with numpy only (the one reader/writer of the reference tooling).

A file is an 8-byte little-endian header length, a JSON header (`{name: {dtype, shape, data_offsets}}`, plus an
optional `__metadata__` of strings first), padded with spaces to a multiple of 8, then the raw little-endian
tensor bytes in header order. Tensors may be numpy arrays or anything with `.detach().cpu().numpy()` (torch).
"""
import json
import os
import struct
from pathlib import Path

import numpy as np

_DTYPES = {
    np.dtype(np.float64): 'F64',
    np.dtype(np.float32): 'F32',
    np.dtype(np.float16): 'F16',
    np.dtype(np.int64): 'I64',
    np.dtype(np.int32): 'I32',
    np.dtype(np.int16): 'I16',
    np.dtype(np.int8): 'I8',
    np.dtype(np.uint8): 'U8',
    np.dtype(np.bool_): 'BOOL',
}
_NUMPY = {name: dtype for dtype, name in _DTYPES.items()}
_MAX_HEADER = 100 * 1024 * 1024


def as_array(t):
    """A numpy array of a numpy array or a torch tensor (detached, on the cpu)."""
    if hasattr(t, 'detach'):
        t = t.detach().cpu().numpy()
    return np.ascontiguousarray(t)


def write_safetensors(path, tensors, metadata=None):
    """Writes `tensors` (name -> array, in this order) to `path` atomically; `metadata` (str -> str) goes first."""
    header = {'__metadata__': {str(k): str(v) for k, v in metadata.items()}} if metadata else {}
    blobs, offset = [], 0
    for name, t in tensors.items():
        a = as_array(t)
        if a.dtype not in _DTYPES:
            raise ValueError(f'{path}: tensor {name!r} has dtype {a.dtype}, which safetensors here does not write')
        b = a.astype(a.dtype.newbyteorder('<')).tobytes()
        header[name] = {'dtype': _DTYPES[a.dtype], 'shape': list(a.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(',', ':')).encode()
    h += b' ' * (-len(h) % 8)
    tmp = Path(f'{path}.tmp{os.getpid()}')
    tmp.write_bytes(struct.pack('<Q', len(h)) + h + b''.join(blobs))
    os.replace(tmp, path)


def read_safetensors(path, dtype=None):
    """Reads `path` into name -> numpy array (BF16 widened to float32; cast to `dtype` when given) and returns
    (tensors, metadata); a file that is not safetensors, or a tensor whose bytes do not fit its shape, is an error
    naming the file."""
    b = Path(path).read_bytes()
    if len(b) < 8:
        raise ValueError(f'{path}: too short to be a safetensors file ({len(b)} bytes)')
    n = struct.unpack('<Q', b[:8])[0]
    if n > min(_MAX_HEADER, len(b) - 8):
        raise ValueError(f'{path}: bad header length {n} (file has {len(b)} bytes); not a safetensors file?')
    header = json.loads(b[8:8 + n])
    metadata = header.pop('__metadata__', None) or {}
    out = {}
    for name, v in header.items():
        start, end = v['data_offsets']
        raw = b[8 + n + start:8 + n + end]
        if v['dtype'] == 'BF16':
            a = (np.frombuffer(raw, dtype='<u2').astype(np.uint32) << 16).view(np.float32)
        elif v['dtype'] in _NUMPY:
            a = np.frombuffer(raw, dtype=_NUMPY[v['dtype']].newbyteorder('<'))
        else:
            raise ValueError(f"{path}: tensor {name!r} has unsupported dtype {v['dtype']}")
        if a.size != int(np.prod(v['shape'], dtype=np.int64)):
            raise ValueError(f"{path}: tensor {name!r} holds {a.size} values, its shape {v['shape']} needs another number")
        a = a.reshape(v['shape'])
        out[name] = a.astype(dtype) if dtype is not None else a.copy()
    return out, metadata
