"""Minimal safetensors reader and writer (numpy only).

File layout: an 8-byte little-endian header length N, N bytes of JSON header (padded with spaces to a multiple
of 8), then the raw little-endian tensor data. The header maps each tensor name to
{"dtype", "shape", "data_offsets": [begin, end]} (offsets relative to the end of the header) and may hold a
"__metadata__" dict of strings.
"""

from __future__ import annotations

import json
import os
import struct

import numpy as np

_DTYPES = {
    "F64": np.dtype("<f8"),
    "F32": np.dtype("<f4"),
    "F16": np.dtype("<f2"),
    "I64": np.dtype("<i8"),
    "I32": np.dtype("<i4"),
    "I16": np.dtype("<i2"),
    "I8": np.dtype("i1"),
    "U8": np.dtype("u1"),
    "BOOL": np.dtype("?"),
}
_NAMES = {(v.kind, v.itemsize): k for k, v in _DTYPES.items()}
_MAX_HEADER = 100 * 1024 * 1024


def load(path: str | os.PathLike, with_metadata: bool = False):
    """Reads a safetensors file into {name: numpy array} (BF16 is widened to float32).

    With `with_metadata`, returns (tensors, metadata dict).
    """
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: too short to be a safetensors file ({len(data)} bytes)")
    (n,) = struct.unpack("<Q", data[:8])
    if n > min(_MAX_HEADER, len(data) - 8):
        raise ValueError(f"{path}: bad header length {n} (file has {len(data)} bytes); not a safetensors file?")
    header = json.loads(data[8 : 8 + n].decode("utf-8"))
    body = memoryview(data)[8 + n :]
    metadata = header.pop("__metadata__", None) or {}
    out = {}
    for name, info in header.items():
        begin, end = info["data_offsets"]
        shape = tuple(info["shape"])
        dtype = info["dtype"]
        raw = body[begin:end]
        if dtype == "BF16":
            arr = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
        elif dtype in _DTYPES:
            arr = np.frombuffer(raw, dtype=_DTYPES[dtype])
        else:
            raise ValueError(f"{path}: tensor '{name}' has unsupported dtype {dtype}")
        if arr.size != int(np.prod(shape, dtype=np.int64)):
            raise ValueError(f"{path}: tensor '{name}' holds {arr.size} values, shape {list(shape)} needs more or fewer")
        out[name] = arr.reshape(shape).copy()
    return (out, metadata) if with_metadata else out


def save(path: str | os.PathLike, tensors: dict, metadata: dict | None = None) -> None:
    """Writes {name: array-like} (numpy arrays or torch tensors) as safetensors, in the given order, atomically."""
    header, chunks, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name, value in tensors.items():
        if hasattr(value, "detach"):  # torch tensor
            value = value.detach().cpu().numpy()
        arr = np.ascontiguousarray(value)
        key = _NAMES.get((arr.dtype.kind, arr.dtype.itemsize))
        if key is None:
            raise ValueError(f"tensor '{name}': unsupported dtype {arr.dtype}")
        raw = arr.astype(_DTYPES[key], copy=False).tobytes()
        header[name] = {"dtype": key, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    head = json.dumps(header, separators=(",", ":")).encode("utf-8")
    head += b" " * (-len(head) % 8)
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(head)))
        f.write(head)
        for c in chunks:
            f.write(c)
    os.replace(tmp, path)
