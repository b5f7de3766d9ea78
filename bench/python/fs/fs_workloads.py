"""One filesystem workload, timed inside the interpreter; prints one JSON line.

Used by bench/python-fs.ts with native python3.11 and python.wasm (before and after a host change):
the same code everywhere, so only the filesystem calls underneath differ. Start-up is not timed,
and each run first does a warm-up pass (the wasm engine tiers hot code up lazily, and V8 optimises
the host's JavaScript after some thousands of calls): the files workload reports it apart, the
short workloads (walk, read) report the best of a few passes inside the process.

    fs_workloads.py WORKDIR files COUNT SIZE   create/write, read, stat, unlink COUNT files of SIZE bytes
    fs_workloads.py WORKDIR walk               os.walk of WORKDIR/tree (made beforehand by the host)
    fs_workloads.py WORKDIR read CHUNK         sequential read of WORKDIR/big.bin (made by the host)

The output carries counts the caller checks, so a run that silently did less cannot look fast.
"""
import json
import os
import sys
import tempfile
import time

# The host stamps big.bin with the block index (uint32 LE) at every MARK-aligned offset.
MARK = 65536
WALK_PASSES = 20
# A pass reads 100 MiB from the page cache in ~5 ms: memory bandwidth, which this shared machine
# spreads by ±20% from pass to pass; the best of many is the host's cost.
READ_PASSES = 20


def files_pass(workdir, count, size):
    # A fresh directory per pass; its creation and removal are not part of the figure.
    folder = tempfile.mkdtemp(prefix="files-", dir=workdir)
    paths = [os.path.join(folder, f"f{i:05d}.dat") for i in range(count)]
    payloads = [(f"{i:08d}|" * (size // 9 + 1)).encode()[:size] for i in range(count)]
    phases = {}

    started = time.perf_counter()
    for path, data in zip(paths, payloads):
        with open(path, "wb") as f:
            f.write(data)
    phases["write"] = time.perf_counter() - started
    listed = len(os.listdir(folder))

    started = time.perf_counter()
    read_bytes = mismatched = 0
    for path, data in zip(paths, payloads):
        with open(path, "rb") as f:
            got = f.read()
        read_bytes += len(got)
        mismatched += got != data
    phases["read"] = time.perf_counter() - started

    started = time.perf_counter()
    stat_bytes = 0
    for path in paths:
        stat_bytes += os.stat(path).st_size
    phases["stat"] = time.perf_counter() - started

    started = time.perf_counter()
    for path in paths:
        os.unlink(path)
    phases["unlink"] = time.perf_counter() - started

    left = len(os.listdir(folder))
    os.rmdir(folder)
    checks = {"listed": listed, "read_bytes": read_bytes, "mismatched": mismatched, "stat_bytes": stat_bytes, "left": left}
    return sum(phases.values()), phases, checks


def files(workdir, count, size):
    # Two passes of the same size. V8 optimises a JavaScript function after a few thousand calls
    # (python.wasm's functions as they get hot): pywasi's host code for each kind of call runs its
    # first thousands of calls unoptimised, node:wasi's uvwasi is C from the start. The second pass
    # is the figure (each call's steady cost); the first is reported beside it.
    _, first, _ = files_pass(workdir, count, size)
    seconds, phases, checks = files_pass(workdir, count, size)
    return seconds, phases, checks, first


def walk_pass(root):
    dirs = files_seen = 0
    started = time.perf_counter()
    for _, dirnames, filenames in os.walk(root):
        dirs += len(dirnames)
        files_seen += len(filenames)
    return time.perf_counter() - started, dirs, files_seen


def best_of(passes, run):
    """The fastest of `passes` timed calls of run() -> (seconds, *counts); every pass must count the same."""
    results = [run() for _ in range(passes)]
    if len({r[1:] for r in results}) != 1:
        raise SystemExit(f"passes disagree: {[r[1:] for r in results]}")
    return min(r[0] for r in results), *results[0][1:]


def walk(workdir):
    root = os.path.join(workdir, "tree")
    walk_pass(root)
    # The best of many passes: a walk takes milliseconds, and V8 moves python.wasm's functions to
    # optimised code one by one as they get hot; the first passes measure that tier-up (2-4x
    # slower, varying with what ran before the script), not the filesystem calls.
    seconds, dirs, files_seen = best_of(WALK_PASSES, lambda: walk_pass(root))
    # Not timed: what readdir reports, to explain differences (a zero d_ino, no d_type).
    with os.scandir(root) as it:
        entries = list(it)
    info = {"zero_inodes": sum(e.inode() == 0 for e in entries), "scanned": len(entries)}
    return seconds, {}, {"dirs": dirs, "files": files_seen, **info}


def read_pass(path, chunk):
    buf = bytearray(chunk)
    total = marks = bad_marks = 0
    started = time.perf_counter()
    with open(path, "rb", buffering=0) as f:
        while True:
            n = f.readinto(buf)
            if not n:
                break
            # Check every stamp that falls inside this read (reads may come back short).
            first = -(-total // MARK) * MARK
            for offset in range(first, total + n - 3, MARK):
                at = offset - total
                marks += 1
                bad_marks += int.from_bytes(buf[at:at + 4], "little") != offset // MARK
            total += n
    return time.perf_counter() - started, total, marks, bad_marks


def read(workdir, chunk):
    path = os.path.join(workdir, "big.bin")
    read_pass(path, chunk)
    seconds, total, marks, bad_marks = best_of(READ_PASSES, lambda: read_pass(path, chunk))
    return seconds, {}, {"read_bytes": total, "marks": marks, "bad_marks": bad_marks}


def main(argv):
    workdir, workload, params = argv[1], argv[2], [int(p) for p in argv[3:]]
    seconds, phases, checks, *first = {"files": files, "walk": walk, "read": read}[workload](workdir, *params)
    result = {"workload": workload, "seconds": seconds, "phases": phases, "checks": checks}
    if first:
        result["first"] = first[0]
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main(sys.argv)
