"""Links python.wasm with Python packages' C extensions built in, from cached pieces only: the
CPython SDK (libpython3.11.a, python.o, the init table's source, the link line) and each package's
build (archives, python-package.json, site-packages/). Nothing of CPython is compiled again but
the init table, which gains one entry per extension under its full dotted name
(`markupsafe._speedups`; patch 0013 lets the import system find such names built in).

The packages' Python files join the standard library: byte code in python311.zip, sources in
python311-src.zip (tracebacks), so they import like the stdlib, with -S and -I too, and
importlib.metadata (pip list) sees them installed. Their test suites and conftest.py files stay out (as the stdlib's tests).

Usage (from the workspace root, by the build python: the .pyc magic must be python.wasm's):
  link_python.py --sdk DIR --stdlib DIR [--package DIR]... --wasm FILE --lib-dir DIR
writes python.wasm (as linked: wasm-opt comes next) and the zips (the guest's /usr/local/lib).
"""

import argparse
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "stdlib-zip"))
from make_stdlib_zip import OMIT_DIR_NAMES, add, pyc_bytes, write_atomically  # noqa: E402

MARKER_DECLARATIONS = "/* -- ADDMODULE MARKER 1 -- */"
MARKER_ENTRIES = "/* -- ADDMODULE MARKER 2 -- */"


class LinkError(Exception):
    pass


def read_json(path):
    try:
        return json.loads(pathlib.Path(path).read_text())
    except FileNotFoundError:
        raise LinkError(f"{path} is missing: build that project first") from None


def init_table(config_c: str, modules: list) -> str:
    """CPython's config.c with the packages' modules entered at its ADDMODULE markers."""
    if MARKER_DECLARATIONS not in config_c or MARKER_ENTRIES not in config_c:
        raise LinkError("the SDK's config.c has no ADDMODULE markers: not CPython's generated init table")
    taken = set(re.findall(r'^\s*\{"([^"]+)",', config_c, re.M))
    for m in modules:
        if m["name"] in taken:
            raise LinkError(f"two built-in modules are named {m['name']} (CPython's own, or two packages')")
        taken.add(m["name"])
    declarations = "".join(f"extern PyObject* {m['init']}(void);\n" for m in modules)
    entries = "".join(f'    {{"{m["name"]}", {m["init"]}}},\n' for m in modules)
    return (config_c.replace(MARKER_DECLARATIONS, declarations + MARKER_DECLARATIONS, 1)
            .replace(MARKER_ENTRIES, entries + MARKER_ENTRIES, 1))


def run(command):
    print("$ " + " ".join(command), flush=True)
    result = subprocess.run(command)
    if result.returncode != 0:
        raise LinkError(f"{command[0]} failed (exit code {result.returncode})")


def add_site_files(stdlib_zip, sources_zip, site: pathlib.Path, seen: dict, package: str, zip_in_guest: str):
    """A package's files: .py as byte code in the stdlib zip and as source beside it, the rest as is.
    Code objects name their file inside the zip, as the stdlib's do and as zipimport reports
    __file__: code that finds its own frames by file (pandas' warnings, inspect) sees them agree."""
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        name = path.relative_to(site).as_posix()
        # Packages' own test suites stay out, as the stdlib's do: they run from the sdist's tree.
        # So do pytest's conftest.py files (pandas/conftest.py): test-only, and one in the zip
        # would be imported in place of the suite's copy (pytest then fails opening it).
        if name.endswith(".pyc") or OMIT_DIR_NAMES.intersection(name.split("/")[:-1]) or name.split("/")[-1] == "conftest.py":
            continue
        if name in seen:
            raise LinkError(f"{package} and {seen[name]} both ship {name}")
        seen[name] = package
        if name.endswith(".py"):
            add(stdlib_zip, name + "c", pyc_bytes(path, f"{zip_in_guest}/{name}"))
            add(sources_zip, name, path.read_bytes())
        else:
            add(stdlib_zip, name, path.read_bytes())


def copy_zip(source: pathlib.Path, zf: zipfile.ZipFile, seen: dict, what: str):
    with zipfile.ZipFile(source) as original:
        for info in original.infolist():
            seen[info.filename.removesuffix("c") if info.filename.endswith(".pyc") else info.filename] = what
            zf.writestr(info, original.read(info))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sdk", required=True, type=pathlib.Path)
    parser.add_argument("--stdlib", required=True, type=pathlib.Path, help="the dir of python311.zip and python311-src.zip")
    parser.add_argument("--package", action="append", default=[], type=pathlib.Path)
    parser.add_argument("--wasm", required=True, type=pathlib.Path)
    parser.add_argument("--lib-dir", required=True, type=pathlib.Path)
    parser.add_argument("--guest-prefix", default="/usr/local", help="sys.prefix inside the guest (as make_stdlib_zip.py's)")
    args = parser.parse_args()

    link = read_json(args.sdk / "link.json")
    packages = [(p, read_json(p / "python-package.json")) for p in args.package]
    modules = [dict(m, archive=str(p / m["archive"])) for p, manifest in packages for m in manifest["modules"]]

    # Written beside their places and moved there at the end: a failure keeps the last good build.
    staging = args.lib_dir.with_name(args.lib_dir.name + ".partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    linked = args.wasm.with_name(args.wasm.name + ".partial")
    args.wasm.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        config_c = pathlib.Path(tmp) / "config.c"
        config_c.write_text(init_table(pathlib.Path(link["initTable"]).read_text(), modules))
        config_o = pathlib.Path(tmp) / "config.o"
        run([*link["cc"], "-c", "-O2", f"-I{link['include']}", str(config_c), "-o", str(config_o)])
        lib_dirs = [f"-L{d}" for _, manifest in packages for d in manifest["libDirs"]]
        libs = [flag for _, manifest in packages for flag in manifest["libs"]]
        extra = []
        if "-lc++abi" in libs:
            # C++ extensions: the exception entry points libc++abi lacks on wasm32-wasi.
            extra.append(str(pathlib.Path(tmp) / "cxx-no-exceptions.o"))
            run([*link["cc"], "-c", "-O2", "-std=c11", "-Wall", "-Wextra", str(pathlib.Path(__file__).with_name("cxx-no-exceptions.c")), "-o", extra[-1]])
        # The init table first: libpython3.11.a's own config.o is then never pulled in.
        # wasi-libc's printf and scanf handle long double only with this library linked (numpy
        # formats np.longdouble); without it, such a call ends the run.
        run([*link["cc"], *link["ldflags"], "-o", str(linked), link["main"], str(config_o), *extra,
             *[m["archive"] for m in modules], link["libpython"], *lib_dirs, *libs, *link["libs"],
             "-lc-printscan-long-double"])

    seen = {}
    def fill(stdlib_zip):
        copy_zip(args.stdlib / "python311.zip", stdlib_zip, seen, "the standard library")
        def fill_sources(sources_zip):
            copy_zip(args.stdlib / "python311-src.zip", sources_zip, {}, "the standard library")
            for path, manifest in packages:
                add_site_files(stdlib_zip, sources_zip, path / manifest["site"], seen, manifest["name"], f"{args.guest_prefix}/lib/python311.zip")
        write_atomically(staging / "python311-src.zip", fill_sources)
    write_atomically(staging / "python311.zip", fill)

    # What the build has built in, for the host side (pywasi pip, pywasi python --build).
    built_in = [{"name": m["name"], "version": m["version"], "modules": [x["name"] for x in m["modules"]]} for _, m in packages]
    (staging / "built-in-packages.json").write_text(json.dumps(built_in, indent=2) + "\n")
    shutil.rmtree(args.lib_dir, ignore_errors=True)
    os.rename(staging, args.lib_dir)
    os.replace(linked, args.wasm)
    names = ", ".join(f"{m['name']}" for _, m in packages) or "none"
    print(f"python.wasm with {len(modules)} built-in extension modules of {len(packages)} packages ({names}): {args.wasm}, {args.lib_dir}")


if __name__ == "__main__":
    try:
        main()
    except LinkError as error:
        print(f"link_python.py: {error}", file=sys.stderr)
        sys.exit(1)
