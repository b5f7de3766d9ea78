"""Threads in one interpreter: I/O-bound fetches, and a CPU-bound pair under the GIL.

Used by bench/threads-http.ts with python.wasm (the threads build) and native python3.11: the same
code, timed inside the interpreter, so start-up is not counted.

    threads_bench.py BASE_URL COUNT SPIN CASE...

CASE is one of
    fetch:N  COUNT URLs (BASE_URL/0 ... BASE_URL/COUNT-1) fetched with urllib.request by a
             ThreadPoolExecutor of N threads; every body is checked. Timed twice: with a new pool,
             its threads' start and shutdown included, as a program pays for them ("seconds");
             then again by a pool whose N threads have all started ("warm"), with the most
             requests the server held at once meanwhile ("peak").
    cpu:1    two pure-Python loops of SPIN iterations, one after the other in this thread
    cpu:2    the same two loops, one in each of two threads at once
A warm-up (a few fetches by a pool of 8, a short loop) comes first. Prints one JSON line per case.
"""
import concurrent.futures
import json
import sys
import threading
import time
import urllib.request

# No proxy: the server is on this machine, whatever the environment says.
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url):
    with OPENER.open(url, timeout=60) as response:
        return response.read()


def fetch_all(pool, base, count):
    """Fetches BASE/0 ... BASE/count-1 by the pool's threads; the server answers each with its number."""
    bodies = list(pool.map(lambda i: get(f"{base}/{i}"), range(count)))
    for i, body in enumerate(bodies):
        if body != str(i).encode():
            raise SystemExit(f"{base}/{i} answered {body[:80]!r}, expected {str(i)!r}")


def started_pool(threads):
    """A pool whose threads have all started: it starts one per task while none is idle, and these
    tasks wait for each other."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=threads)
    barrier = threading.Barrier(threads)
    list(pool.map(lambda _: barrier.wait(), range(threads)))
    return pool


def spin(n):
    x = 0
    for i in range(n):
        x = (x + i * i) % 1000003
    return x


def spin_pair(n, threads):
    """Two loops of n iterations: in this thread one after the other, or in two threads at once."""
    if threads == 1:
        return [spin(n), spin(n)]
    results = [None, None]

    def work(k):
        results[k] = spin(n)

    workers = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return results


def main(argv):
    base, count, n = argv[1], int(argv[2]), int(argv[3])
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        fetch_all(pool, base, 8)
    expected = spin_pair(n // 20, 1)
    if spin_pair(n // 20, 2) != expected:
        raise SystemExit("the two-thread loops computed another result than the one-thread ones")
    for case in argv[4:]:
        kind, threads = case.split(":")
        threads = int(threads)
        if kind == "fetch":
            started = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(max_workers=threads) as pool:
                fetch_all(pool, base, count)
            seconds = time.perf_counter() - started
            with started_pool(threads) as pool:
                get(f"{base}/peak")  # resets the server's count of requests held at once
                started = time.perf_counter()
                fetch_all(pool, base, count)
                extra = {"requests": count, "warm": time.perf_counter() - started, "peak": int(get(f"{base}/peak"))}
        elif kind == "cpu" and threads in (1, 2):
            started = time.perf_counter()
            spin_pair(n, threads)
            seconds = time.perf_counter() - started
            extra = {"iterations": 2 * n}
        else:
            raise SystemExit(f"unknown case {case!r}: expected fetch:N or cpu:1 or cpu:2")
        print(json.dumps({"case": kind, "threads": threads, "seconds": seconds, **extra}), flush=True)


if __name__ == "__main__":
    main(sys.argv)
