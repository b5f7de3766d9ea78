# Threads started by a python.wasm that may have resumed from the start-up snapshot: each gets
# its own C thread-locals (errno, set by a failing call) and Python thread-locals, and may start
# threads itself. Prints one JSON line; the same with or without the snapshot.
import errno
import json
import os
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

local = threading.local()
local.name = "main"


def errno_here(name):
    # A failing call sets errno in this thread's own C TLS block; CPython reads it back into OSError.
    try:
        os.open(f"/no/such/{name}", os.O_RDONLY)
    except OSError as e:
        return errno.errorcode[e.errno]
    return "no error"


def work(n):
    local.name = f"worker-{n}"
    child = {}
    inner = threading.Thread(target=lambda: child.update(name=getattr(local, "name", None), errno=errno_here("inner")))
    inner.start()
    inner.join()
    return {"n": n, "local": local.name, "errno": errno_here(n), "child": child}


with ThreadPoolExecutor(4) as pool:
    results = list(pool.map(work, range(8)))
print(json.dumps({
    "thread_info": sys.thread_info.name,
    "results": results,
    "main": {"local": local.name, "errno": errno_here("main")},
    "threads_left": threading.active_count(),
}, sort_keys=True))
