"""The safetensors format, read and written with numpy only (the fixtures' one writer).

A file is an 8-byte little-endian header length, a JSON header (`{name: {dtype, shape, data_offsets}}`, plus an
optional `__metadata__` of strings first), padded with spaces to a multiple of 8, then the raw little-endian
tensor bytes in header order. Tensors may be numpy arrays or anything with `.detach().cpu().numpy()` (torch).
"""
import json
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


def as_array(t):
    """A numpy array of a numpy array or a torch tensor (detached, on the cpu)."""
    if hasattr(t, 'detach'):
        t = t.detach().cpu().numpy()
    return np.ascontiguousarray(t)


def write_safetensors(path, tensors, metadata=None):
    """Writes `tensors` (name -> array, in this order) to `path`; `metadata` (str -> str) goes first in the header."""
    header = {'__metadata__': metadata} if metadata else {}
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
    Path(path).write_bytes(struct.pack('<Q', len(h)) + h + b''.join(blobs))


def read_safetensors(path, dtype=None):
    """Reads `path` into name -> numpy array (cast to `dtype` when given) and returns (tensors, metadata)."""
    b = Path(path).read_bytes()
    n = struct.unpack('<Q', b[:8])[0]
    header = json.loads(b[8:8 + n])
    metadata = header.pop('__metadata__', {})
    out = {}
    for name, v in header.items():
        start, end = v['data_offsets']
        a = np.frombuffer(b[8 + n + start:8 + n + end], dtype=_NUMPY[v['dtype']].newbyteorder('<')).reshape(v['shape'])
        out[name] = a.astype(dtype) if dtype is not None else a
    return out, metadata
