"""Builds python311.zip: CPython's standard library as byte code, for python.wasm.

Run with the native build python of the same CPython version (the .pyc magic must match):

    python make_stdlib_zip.py --lib <src>/Lib --build-dir <wasm build dir> --output <zip>

What goes in: every module of Lib/ as an unchecked hash-based .pyc (PEP 552: no source needed,
nothing to stat), lib2to3's grammars (pickled), pydoc's style sheet, and the _sysconfigdata module
of the wasm build. What stays out: test suites, what cannot work on WASI (tkinter and what needs
it, msilib), and the pure-Python halves of C extensions that the wasm configure did not build
(read from the build's MODULE_<NAME>_STATE variables).

The archive is deterministic: sorted entries, fixed timestamps, hash-based pycs. It is deflated,
so python.wasm must have zlib built in for zipimport to read it.
"""

import argparse
import importlib.util
import os
import pathlib
import sys
import zipfile

# Directories and files of Lib/ that are never shipped: what cannot run on WASI. Everything else
# of the 3.11 standard library is, deprecated modules included (asyncore, cgi, imghdr...):
# programs and packages still import them.
OMIT = (
    # Regression tests: run from the source tree, mapped into the guest, not from the zip.
    "test/",
    "idlelib/",  # IDE, needs tkinter
    "tkinter/",
    "turtle.py",
    "turtledemo/",
    "msilib/",  # Windows Installer files, through the Windows-only _msi
    "ensurepip/_bundled/",  # pip's and setuptools' wheels: pip cannot run in python.wasm (patch 0011)
    "site-packages/",
)

# lib2to3 in a zip reads its grammars pickled, through its loader's get_data (the .txt it cannot
# open: pgen2.driver.load_packaged_grammar), as `make install` writes them: made here by the build
# python, of the same version as python.wasm.
GRAMMARS = ("lib2to3/Grammar.txt", "lib2to3/PatternGrammar.txt")

# Data files of Lib/ that modules read through their loader (pkgutil.get_data), shipped as they
# are: pydoc's style sheet, which pydoc's and xmlrpc.server's documentation servers serve (CPython
# patch 0021 has them read it from the zip when no file has it).
DATA_FILES = ("pydoc_data/_pydoc.css",)

# Packages' own test suites (e.g. unittest/test, ctypes/test).
OMIT_DIR_NAMES = {"test", "tests", "idle_test", "__pycache__"}

# C extension -> the parts of Lib/ that are useless when configure did not build it.
NEEDS_C_MODULE = {
    "_ctypes": ("ctypes/",),
    "_curses": ("curses/",),
    "_curses_panel": ("curses/panel.py",),
    "_dbm": ("dbm/ndbm.py",),
    "_gdbm": ("dbm/gnu.py",),
    "_sqlite3": ("sqlite3/",),
    "_ssl": ("ssl.py",),
    "_bz2": ("bz2.py",),
    "_lzma": ("lzma.py",),
    "_crypt": ("crypt.py",),
    # multiprocessing and concurrent.futures.process stay: they import without the C half (as on
    # a platform without sem_open), so code that only imports them, or asks cpu_count(), runs;
    # starting a process or making a lock or queue raises ImportError (test_logging needs no
    # more), and concurrent.futures says why it exports no ProcessPoolExecutor (patch 0027).
    "termios": ("tty.py", "pty.py"),
    "_tkinter": ("tkinter/", "turtle.py"),
}


def build_vars(build_dir: pathlib.Path) -> tuple[pathlib.Path, dict]:
    """The wasm build's _sysconfigdata module and its build_time_vars."""
    pybuilddir = (build_dir / "pybuilddir.txt").read_text().strip()
    found = sorted((build_dir / pybuilddir).glob("_sysconfigdata_*.py"))
    if len(found) != 1:
        sys.exit(f"expected one _sysconfigdata_*.py in {build_dir / pybuilddir}, found {found}")
    namespace: dict = {}
    exec(found[0].read_text(), namespace)
    return found[0], namespace["build_time_vars"]


def omitted_parts(variables: dict) -> list[str]:
    parts = list(OMIT)
    for module, paths in NEEDS_C_MODULE.items():
        state = variables.get(f"MODULE_{module.upper()}_STATE")
        if state != "yes":
            parts.extend(paths)
    return parts


def is_omitted(relative: str, parts: list[str]) -> bool:
    if any(name in OMIT_DIR_NAMES for name in relative.split("/")[:-1]):
        return True
    return any(relative == p or (p.endswith("/") and relative.startswith(p)) for p in parts)


def pyc_bytes(source_path: pathlib.Path, display_name: str) -> bytes:
    source = source_path.read_bytes()
    code = compile(source, display_name, "exec", dont_inherit=True, optimize=0)
    return importlib._bootstrap_external._code_to_hash_pyc(  # type: ignore[attr-defined]
        code, importlib.util.source_hash(source), checked=False
    )


def pickled_grammar(grammar_txt: pathlib.Path) -> tuple[str, bytes]:
    """lib2to3's pickle of a grammar: its file name (which names the Python version) and bytes."""
    import tempfile
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # lib2to3 is deprecated in 3.11
        from lib2to3.pgen2 import driver, pgen

    name = os.path.basename(driver._generate_pickle_name(str(grammar_txt)))
    with tempfile.TemporaryDirectory() as tmp:
        pickle = os.path.join(tmp, name)
        pgen.generate_grammar(str(grammar_txt)).dump(pickle)
        return name, pathlib.Path(pickle).read_bytes()


def add(zf: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    zf.writestr(info, data, compresslevel=9)


def write_atomically(output: pathlib.Path, fill) -> None:
    """Writes a zip through a partial file, so a failed build never leaves half of one."""
    partial = output.with_name(output.name + ".partial")
    try:
        with zipfile.ZipFile(partial, "w") as zf:
            fill(zf)
        os.replace(partial, output)
    finally:
        if partial.exists():
            partial.unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lib", type=pathlib.Path, required=True, help="CPython's Lib/ directory")
    parser.add_argument("--build-dir", type=pathlib.Path, required=True, help="the configured wasm build dir")
    parser.add_argument("--output", type=pathlib.Path, required=True, help="the zip to write")
    parser.add_argument("--sources", type=pathlib.Path, help="also write the modules' sources to this zip (tracebacks read it: CPython patch 0012)")
    parser.add_argument("--guest-prefix", default="/usr/local", help="sys.prefix inside the guest")
    args = parser.parse_args()

    sysconfigdata, variables = build_vars(args.build_dir)
    parts = omitted_parts(variables)
    zip_in_guest = f"{args.guest_prefix}/lib/{args.output.name}"

    modules: list[tuple[str, pathlib.Path]] = []
    for path in sorted(args.lib.rglob("*.py")):
        relative = path.relative_to(args.lib).as_posix()
        if not is_omitted(relative, parts):
            modules.append((relative, path))
    modules.append((sysconfigdata.name, sysconfigdata))

    def fill(zf: zipfile.ZipFile) -> None:
        for relative, path in modules:
            # Tracebacks name the module inside the zip, as zipimport reports __file__.
            add(zf, relative + "c", pyc_bytes(path, f"{zip_in_guest}/{relative}"))
        for relative in GRAMMARS:
            name, data = pickled_grammar(args.lib / relative)
            add(zf, str(pathlib.PurePosixPath(relative).with_name(name)), data)
        for relative in DATA_FILES:
            add(zf, relative, (args.lib / relative).read_bytes())

    args.output.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(args.output, fill)

    def fill_sources(zf: zipfile.ZipFile) -> None:
        # Under the names the byte code's frames give (the _sysconfigdata module too).
        for relative, path in modules:
            add(zf, relative, path.read_bytes())

    if args.sources:
        write_atomically(args.sources, fill_sources)
        print(f"{args.sources}: the sources, {args.sources.stat().st_size / 1024 / 1024:.2f} MiB")

    size = args.output.stat().st_size
    skipped = sorted({p for p in parts if p not in OMIT})
    print(f"{args.output}: {len(modules)} modules, {size / 1024 / 1024:.2f} MiB")
    if skipped:
        print(f"  left out because their C module was not built: {' '.join(skipped)}")


if __name__ == "__main__":
    main()
