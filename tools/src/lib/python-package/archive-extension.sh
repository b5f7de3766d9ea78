#!/bin/sh
# The link of an extension module for a static python.wasm: where a package's build links an
# extension as a shared object (the compiler wrappers call this for -shared), its objects are
# archived instead, under the name the build gives (e.g. _speedups.cpython-311-wasm32-wasi.so), to
# be linked into python.wasm later. Archives among the inputs are merged in. The libraries it
# names (-l) and those of $PYWASI_EXTENSION_LIBS (the C++ runtime) go into the archive as a text
# member, pywasi-link.txt: the archive is all a build backend installs, and the final link needs
# them. Compiler flags are ignored: nothing is linked here. The archiver is $PYWASI_AR.
set -eu
out=
objects=
libs=
while [ $# -gt 0 ]; do
  case $1 in
    -o) out=$2; shift ;;
    -o*) out=${1#-o} ;;
    -l*) libs="$libs $1" ;;
    *.o|*.a|*.obj) objects="$objects $1" ;;
  esac
  shift
done
if [ -z "$out" ]; then
  echo "archive-extension.sh: no -o OUTPUT among the arguments" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2086 # word splitting of the lists is wanted
printf '%s\n' $libs ${PYWASI_EXTENSION_LIBS:-} > "$work/pywasi-link.txt"
rm -f "$out"
# L: an input archive's members are added, not the archive itself.
# shellcheck disable=SC2086
"${PYWASI_AR:?archive-extension.sh needs PYWASI_AR, the llvm-ar to use}" qcsL "$out" $objects "$work/pywasi-link.txt"
