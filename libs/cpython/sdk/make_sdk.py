"""Assembles the SDK of the cross-built CPython: what compiles a package's C extensions against
python.wasm and links them into it, without its build tree.

  include/python3.11/        the C API headers, pyconfig.h of the wasm build among them
  lib/python3.11/            _sysconfigdata of the wasm build (compiler, flags, EXT_SUFFIX)
  lib/                       libpython3.11.a, python.o (main), the archives python.wasm links
                             besides (libmpdec, libexpat), and config.c: the init table's source
  link.json                  the compiler and the link line of python.wasm, as CPython's own
                             Makefile evaluates them, with paths relative to the workspace

Usage: make_sdk.py --source SRC --build-dir BUILD --output OUT (run from the workspace root).
"""

import argparse
import glob
import json
import os
import shlex
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def fail(message):
    print(f"make_sdk.py: {message}", file=sys.stderr)
    sys.exit(1)


def make_vars(build_dir):
    """The link variables, evaluated by make over CPython's Makefile (link-vars.mk)."""
    result = subprocess.run(
        ["make", "-s", "-f", "Makefile", "-f", os.path.join(HERE, "link-vars.mk"), "link-vars"],
        cwd=build_dir, capture_output=True, text=True)
    if result.returncode != 0:
        fail(f"make could not evaluate the link variables in {build_dir}: {result.stderr.strip()}")
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", required=True)
    parser.add_argument("--build-dir", required=True)
    parser.add_argument("--output", required=True)
    args = parser.parse_args()
    build, out = args.build_dir, args.output

    def from_build(path):
        """A path the Makefile gives relative to the build dir, relative to the workspace."""
        return os.path.relpath(os.path.normpath(os.path.join(build, path)))

    archives = {}  # path in the build dir -> path in the SDK

    def word(w):
        if w.startswith("--sysroot="):
            return "--sysroot=" + from_build(w[len("--sysroot="):])
        if w.startswith("-L"):
            return "-L" + from_build(w[2:])
        if w.endswith(".a") and not w.startswith("-"):
            archives[w] = os.path.join(out, "lib", os.path.basename(w))
            return archives[w]
        return w

    variables = make_vars(build)
    link = {
        "cc": [word(w) for w in shlex.split(variables["LINKCC"])],
        "ldflags": [word(w) for w in shlex.split(variables["LDFLAGS"])],
        "libs": [word(w) for w in shlex.split(variables["LIBS"])],
        "libpython": os.path.join(out, "lib", "libpython3.11.a"),
        "main": os.path.join(out, "lib", "python.o"),
        "initTable": os.path.join(out, "lib", "config.c"),
        "include": os.path.join(out, "include", "python3.11"),
    }

    staging = out + ".partial"
    shutil.rmtree(staging, ignore_errors=True)
    include = os.path.join(staging, "include", "python3.11")
    shutil.copytree(os.path.join(args.source, "Include"), include)
    shutil.copy2(os.path.join(build, "pyconfig.h"), include)
    pylib = os.path.join(staging, "lib", "python3.11")
    os.makedirs(pylib)
    sysconfigdata = glob.glob(os.path.join(build, "build", "lib.*", "_sysconfigdata_*.py"))
    if len(sysconfigdata) != 1:
        fail(f"expected one _sysconfigdata_*.py under {build}/build, found {sysconfigdata}")
    shutil.copy2(sysconfigdata[0], pylib)
    lib = os.path.join(staging, "lib")
    copies = {
        "libpython3.11.a": "libpython3.11.a",
        "Programs/python.o": "python.o",
        "Modules/config.c": "config.c",
        **{a: os.path.basename(a) for a in archives},
    }
    for src, dst in copies.items():
        if not os.path.exists(os.path.join(build, src)):
            fail(f"{os.path.join(build, src)} is missing: build cpython first (nx build cpython)")
        shutil.copy2(os.path.join(build, src), os.path.join(lib, dst))
    with open(os.path.join(staging, "link.json"), "w") as f:
        json.dump(link, f, indent=2)
        f.write("\n")
    headers = sum(1 for _ in os.scandir(include))
    shutil.rmtree(out, ignore_errors=True)
    os.rename(staging, out)
    print(f"SDK in {out}: {headers} headers, {len(copies)} link pieces")


if __name__ == "__main__":
    main()
