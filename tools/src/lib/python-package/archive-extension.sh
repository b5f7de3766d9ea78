#!/bin/sh
# LDSHARED of a Python package's build for a static python.wasm: where the build links an
# extension module as a shared object, this archives its objects instead (the archive keeps the
# name the build gives, e.g. _speedups.cpython-311-wasm32-wasi.so), to be linked into python.wasm
# later. Archives among the inputs are merged in; the libraries it names (-l, -L) are written
# beside it, in OUTPUT.libs, for that link. Compiler flags are ignored: nothing is linked here.
# The archiver is $PYWASI_AR.
set -eu
out=
objects=
libs=
while [ $# -gt 0 ]; do
  case $1 in
    -o) out=$2; shift ;;
    -o*) out=${1#-o} ;;
    -l*|-L*) libs="$libs $1" ;;
    *.o|*.a|*.obj) objects="$objects $1" ;;
  esac
  shift
done
if [ -z "$out" ]; then
  echo "archive-extension.sh: no -o OUTPUT among the arguments" >&2
  exit 2
fi
rm -f "$out" "$out.libs"
# L: an input archive's members are added, not the archive itself. Word splitting is wanted.
# shellcheck disable=SC2086
"${PYWASI_AR:?archive-extension.sh needs PYWASI_AR, the llvm-ar to use}" qcsL "$out" $objects
printf '%s\n' $libs > "$out.libs"
