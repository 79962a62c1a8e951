"""Imports a pinned ultralytics from its source, fetched at run time (reference/fetch_ultralytics.sh), never
installed or vendored. PLUGCONV_ULTRALYTICS=<folder holding the `ultralytics` package> uses a checkout you have."""
import os
import subprocess
import sys
import types

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def source_folder(version):
    """The folder whose `ultralytics/` is ultralytics `version`: PLUGCONV_ULTRALYTICS, else fetched."""
    folder = os.environ.get('PLUGCONV_ULTRALYTICS')
    if folder:
        return folder
    out = subprocess.run([os.path.join(HERE, 'fetch_ultralytics.sh'), version], check=True, capture_output=True, text=True)
    return out.stdout.strip().splitlines()[-1]


def import_ultralytics(version):
    """Imports ultralytics `version` from its source and returns the package; fails naming what was found instead."""
    folder = source_folder(version)
    sys.path.insert(0, folder)
    # ultralytics imports polars for things the model code never uses; a stub keeps it out of the dependencies
    sys.modules.setdefault('polars', types.ModuleType('polars'))
    import ultralytics

    if ultralytics.__version__ != version:
        raise SystemExit(f'{folder}: ultralytics {ultralytics.__version__}, not {version} (PLUGCONV_ULTRALYTICS points elsewhere?)')
    return ultralytics
