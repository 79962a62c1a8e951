#!/usr/bin/env python3
"""Writes the small torch.save files that test @plugconv/core's checkpoint reader.

Good files (every one read back by the tests with exact values):
  state_dict_dtypes.pt   torch.save(OrderedDict) of arange tensors in every dtype the reader supports, plus a
                         transposed (non-contiguous) view, a slice with a storage offset and two tensors sharing
                         one storage
  state_dict_bigendian.pt  the same archive rewritten as a big-endian machine would write it (byteorder 'big')
  tiny_detect_last.pt    a last.pt-style checkpoint of a tiny ultralytics DetectionModel (SPPF, 8.4 build) with
                         `ema` set, IterableSimpleNamespace args and numpy fitness values, as real trainers write
  tiny_detect_model.pt   torch.save(model) of the same model (the whole model at the top, no dict)
  classify.pt, segment.pt  stripped checkpoints of tiny ClassificationModel / SegmentationModel (the reader reads
                         them and reports the task; loaders refuse them)
Broken and hostile files (each must end in a CheckpointError naming the problem):
  hostile_posix_system.pt, hostile_builtins_eval.pt, hostile_subprocess_popen.pt  a value whose __reduce__ calls
                         os.system / eval / subprocess.Popen, saved by torch.save inside an ultralytics-like dict
  hostile_os_system_raw.pt, hostile_subprocess_raw.pt  hand-written data.pkl: GLOBAL 'os system' (or
                         'subprocess Popen') + REDUCE; torch.save itself writes these as 'posix system' and
                         'commands Popen' (Python 2 names, pickle protocol 2)
  hostile_inst.pt        hand-written data.pkl: protocol-0 INST 'os system'
  hostile_getattr_call.pt  getattr(<class placeholder>, '__init__') and then a call of the result
  legacy.pt              torch.save(..., _use_new_zipfile_serialization=False) (the pre-1.6 format)
  garbage_pickle.pt      a torch zip whose data.pkl is not a pickle
  storage_truncated.pt   a storage entry shorter than the element count its pickle declares
  storage_short.pt       a tensor reaching past the end of its storage
  broadcast_huge.pt      a one-element storage viewed as 2^31 elements (stride 0): small file, 8 GiB once copied
  shared_views.pt        one 4 KB storage under 100 keys: 400 KB of tensors from a 10 KB file
  no_model.pt            an ultralytics-like dict with neither `model` nor `ema`
  torchscript.pt         torch.jit.save of a tiny module

Run from the repository root (Debian's python3-torch 1.13 and numpy; an ultralytics 8.4 source tree for the tiny
models, whose trainer's polars import is stubbed):
  /usr/bin/python3 reference/make_checkpoint_fixtures.py [--ultralytics PATH] [--out DIR]
  /usr/bin/python3 reference/make_checkpoint_fixtures.py --bench FILE   # a ~6 MB yolo11n-sized last.pt, for timing
"""
import argparse
import collections
import io
import os
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import torch

DATE = '2026-07-24T00:00:00'


def put(z, name, data):
    """Adds an entry with a fixed date, so that reruns write the same bytes."""
    z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data)


def archive(path, pkl, storages=(), name='archive', byteorder=None):
    """A torch.save-style zip (stored entries) holding `pkl` as data.pkl and raw storages under data/."""
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
        put(z, f'{name}/data.pkl', pkl)
        if byteorder:
            put(z, f'{name}/byteorder', byteorder)
        for key, data in storages:
            put(z, f'{name}/data/{key}', data)
        put(z, f'{name}/version', '3\n')


def rewrite(src, dst, edit):
    """Copies a zip, passing each entry's (name, bytes) through edit (None drops it)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, 'w', zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            out = edit(info.filename, zin.read(info.filename))
            if out is not None:
                put(zout, out[0], out[1])


class Runs:
    """An object whose unpickling calls `func(*args)`: what a hostile checkpoint hides in a harmless-looking dict."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


def hostile(out):
    for name, func, args in [
        ('hostile_posix_system.pt', os.system, ('echo pwned > /tmp/plugconv-pwned',)),
        ('hostile_builtins_eval.pt', eval, ('__import__("os").system("echo pwned")',)),
        ('hostile_subprocess_popen.pt', subprocess.Popen, (['echo', 'pwned'],)),
    ]:
        ck = {'date': DATE, 'version': '8.4.104', 'model': None, 'ema': None, 'train_args': {'data': Runs(func, *args)}}
        torch.save(ck, os.path.join(out, name))
    # hand-written pickles: the shortest forms of the same attack
    archive(os.path.join(out, 'hostile_os_system_raw.pt'), b"\x80\x02cos\nsystem\nX\x0b\x00\x00\x00echo pwned!\x85R.")
    archive(os.path.join(out, 'hostile_subprocess_raw.pt'),
            b'\x80\x02csubprocess\nPopen\nX\x04\x00\x00\x00echoX\x05\x00\x00\x00pwned\x86\x85R.')
    archive(os.path.join(out, 'hostile_inst.pt'), b"\x80\x02(S'echo pwned'\nios\nsystem\n.")
    archive(
        os.path.join(out, 'hostile_getattr_call.pt'),
        b'\x80\x02c__builtin__\ngetattr\nctorch.nn.modules.conv\nConv2d\nX\x08\x00\x00\x00__init__\x86R)R.',
    )


class FakeStorage:
    def __init__(self, key, numel):
        self.key, self.numel = key, numel


class FakeTensor:
    """Pickles as torch does a tensor, over a storage that the file describes however we like."""

    def __init__(self, storage, offset, size, stride):
        self.args = (storage, offset, torch.Size(size), stride, False, collections.OrderedDict())

    def __reduce__(self):
        return torch._utils._rebuild_tensor_v2, self.args


class FakePickler(pickle.Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, FakeStorage):
            return ('storage', torch.HalfStorage, obj.key, 'cpu', obj.numel)
        return None


def broken(out):
    buf = io.BytesIO()
    torch.save({'w': torch.zeros(2)}, buf, _use_new_zipfile_serialization=False)
    open(os.path.join(out, 'legacy.pt'), 'wb').write(buf.getvalue())

    archive(os.path.join(out, 'garbage_pickle.pt'), b'this is not a pickle, it is text\n')

    good = os.path.join(out, 'storage_truncated.tmp')
    torch.save(collections.OrderedDict(w=torch.arange(8, dtype=torch.float16)), good)
    rewrite(good, os.path.join(out, 'storage_truncated.pt'), lambda n, b: (n, b[:6] if n.endswith('/data/0') else b))
    os.remove(good)

    f = io.BytesIO()
    storage = FakeStorage('0', 4)
    FakePickler(f, protocol=2).dump(collections.OrderedDict([('model.0.conv.weight', FakeTensor(storage, 0, (2, 4), (4, 1)))]))
    archive(os.path.join(out, 'storage_short.pt'), f.getvalue(), [('0', np.arange(4, dtype=np.float16).tobytes())])

    torch.save(collections.OrderedDict(w=torch.zeros(1, dtype=torch.float32).expand(2 ** 31)), os.path.join(out, 'broadcast_huge.pt'))
    shared = torch.arange(1000, dtype=torch.float32)
    torch.save(collections.OrderedDict((f'w{i}', shared) for i in range(100)), os.path.join(out, 'shared_views.pt'))

    torch.save({'date': DATE, 'version': '8.4.104', 'epoch': 3, 'model': None, 'ema': None, 'optimizer': None},
               os.path.join(out, 'no_model.pt'))

    torch.manual_seed(0)
    torch.jit.save(torch.jit.script(torch.nn.Linear(2, 2)), os.path.join(out, 'torchscript.pt'))


def dtype_tensors():
    """arange tensors in every supported dtype plus views; the tests rebuild the same values."""
    base = torch.arange(24).reshape(2, 3, 4)
    sd = collections.OrderedDict()
    for dt in ['float16', 'bfloat16', 'float32', 'float64', 'int64', 'int32', 'int16', 'int8', 'uint8']:
        sd[dt] = (base - (0 if dt == 'uint8' else 12)).to(getattr(torch, dt))
    sd['bool'] = (base % 3 == 0)
    sd['float32_half'] = torch.tensor([0.5, -2.25, 65504.0, 1e-4], dtype=torch.float32).half()
    full = torch.arange(24, dtype=torch.float32).reshape(2, 3, 4)
    sd['transposed'] = full.transpose(0, 2)  # shape (4, 3, 2), stride (1, 4, 12)
    sd['offset_slice'] = full[1, 1:]  # shape (2, 4), offset 16, stride (4, 1)
    sd['shared_row'] = full[0, 2]  # another view of the same storage, offset 8
    sd['scalar'] = torch.tensor(7, dtype=torch.int64)
    return sd


def swap_storages(src, dst):
    """Rewrites a little-endian archive as big-endian: byteorder 'big' and every storage's elements swapped."""
    z = zipfile.ZipFile(src)
    pkl = next(n for n in z.namelist() if n.endswith('/data.pkl'))
    width = {}

    class Widths(pickle.Unpickler):
        def persistent_load(self, pid):
            _, storage_type, key, _, numel = pid
            width[key] = torch.empty(0, dtype=storage_type.dtype).element_size()
            return torch.zeros(numel, dtype=storage_type.dtype).storage()

    Widths(io.BytesIO(z.read(pkl))).load()

    def edit(name, b):
        w = width.get(name.rsplit('/', 1)[-1], 1) if '/data/' in name else 1
        return name, (np.frombuffer(b, dtype=f'<u{w}').astype(f'>u{w}').tobytes() if w > 1 else b)

    rewrite(src, dst, edit)
    with zipfile.ZipFile(dst, 'a') as out:
        put(out, pkl[: -len('data.pkl')] + 'byteorder', 'big')


def good(out):
    path = os.path.join(out, 'state_dict_dtypes.pt')
    torch.save(dtype_tensors(), path)
    swap_storages(path, os.path.join(out, 'state_dict_bigendian.pt'))


def ultralytics_models(out, root):
    sys.modules.setdefault('polars', type(sys)('polars'))  # imported by the trainer, not needed here
    if root:
        sys.path.insert(0, root)
    from ultralytics.nn.tasks import ClassificationModel, DetectionModel, SegmentationModel
    from ultralytics.utils import IterableSimpleNamespace

    torch.manual_seed(0)
    det = DetectionModel({'nc': 2, 'reg_max': 1, 'backbone': [[-1, 1, 'Conv', [8, 3, 2]], [-1, 1, 'Conv', [16, 3, 2]],
                                                             [-1, 1, 'SPPF', [16, 5]]],
                          'head': [[[1, 2], 1, 'Detect', ['nc']]]}, verbose=False)
    det.names = {0: 'cat', 1: 'dog'}
    det.args = IterableSimpleNamespace(imgsz=64, task='detect')
    det.eval().half()
    torch.save({'date': DATE, 'version': '8.4.104', 'epoch': 4, 'best_fitness': np.float64(0.25), 'model': None,
                'ema': det, 'updates': 7, 'optimizer': None, 'train_args': {'imgsz': 64, 'fitness': np.array(-1.5)}},
               os.path.join(out, 'tiny_detect_last.pt'))
    torch.save(det, os.path.join(out, 'tiny_detect_model.pt'))

    cls = ClassificationModel({'nc': 3, 'backbone': [[-1, 1, 'Conv', [8, 3, 2]]], 'head': [[-1, 1, 'Classify', [3]]]},
                              verbose=False)
    cls.names = {0: 'a', 1: 'b', 2: 'c'}
    seg = SegmentationModel({'nc': 2, 'reg_max': 1, 'backbone': [[-1, 1, 'Conv', [8, 3, 2]], [-1, 1, 'Conv', [8, 3, 2]]],
                             'head': [[[0, 1], 1, 'Segment', [2, 4, 8]]]}, verbose=False)
    for name, m in [('classify.pt', cls), ('segment.pt', seg)]:
        torch.save({'date': DATE, 'version': '8.4.104', 'epoch': -1, 'model': m.eval().half(), 'ema': None,
                    'train_args': {}}, os.path.join(out, name))


def bench(path, root):
    """A yolo11n-sized last.pt (model in fp16 as `ema`), about 6 MB: what a user's checkpoint weighs."""
    sys.modules.setdefault('polars', type(sys)('polars'))
    if root:
        sys.path.insert(0, root)
    from ultralytics.nn.tasks import DetectionModel

    torch.manual_seed(0)
    m = DetectionModel('yolo11n.yaml', verbose=False).eval().half()
    torch.save({'date': DATE, 'version': '8.4.104', 'epoch': 10, 'model': None, 'ema': m, 'optimizer': None,
                'train_args': {'imgsz': 640}}, path)
    print(path, os.path.getsize(path), 'bytes')


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    p = argparse.ArgumentParser()
    p.add_argument('--out', default=os.path.join(here, '..', 'packages', 'core', 'fixtures', 'checkpoints'))
    p.add_argument('--ultralytics', default='', help='folder holding an ultralytics 8.4 source package (default: the installed one)')
    p.add_argument('--bench', help='write only the ~6 MB timing checkpoint to this path')
    a = p.parse_args()
    if a.bench:
        return bench(a.bench, a.ultralytics)
    os.makedirs(a.out, exist_ok=True)
    good(a.out)
    hostile(a.out)
    broken(a.out)
    ultralytics_models(a.out, a.ultralytics)


if __name__ == '__main__':
    main()
