"""Imported by python.wasm's site module at start-up when run through `pywasi python`.

WASI has no current directory of its own (wasi-libc starts every process in "/"). pywasi maps the
host's current directory to the same path in the guest and names it in PYWASI_CWD; moving there
makes relative paths behave as they do for a native python.
"""
import os

_cwd = os.environ.pop("PYWASI_CWD", None)
if _cwd:
    try:
        os.chdir(_cwd)
    except OSError as error:
        import sys

        print(f"pywasi: cannot enter {_cwd}: {error}", file=sys.stderr)
