#!/bin/sh
# Runs CPython's configure from the build dir (the cwd) with --build set to this machine's
# triplet as the source's config.guess reports it. The autotools executor runs commands without
# a shell, so `--build=$(config.guess)` cannot be written in project.json; and it would call
# configure by its absolute path, which configure then records (srcdir, VPATH).
# Usage: run-configure.sh <cpython source dir, relative to the build dir> [configure args...]
# With a relative source dir, a configured or built dir restored from the Nx cache works
# wherever the workspace is checked out.
set -eu
src=$1
shift
# config.guess compiles probes with $CC_FOR_BUILD, else $CC: with a wasm CC in the environment
# it would report x86_64-pc-linux-gnux32 (wasm32 defines __ILP32__). Use the host compiler.
build=$(CC_FOR_BUILD="${CC_FOR_BUILD:-cc}" "$src/config.guess")
exec "$src/configure" --build="$build" "$@"
