"""Threads in the threads build: start and join, a thread pool, a queue, asyncio.to_thread and
run_in_executor, name lookups in threads, and blocking calls (sleep, a socket recv, select) in
threads while the main thread goes on. Concurrency
is shown with barriers and events, never with timings: a barrier of N is passed only when N threads
are in it at once (else BrokenBarrierError after its timeout), and a blocked thread that kept the
GIL, or a host that blocked every thread, would stop the main thread from sending what it waits
for. Prints one JSON line."""
import asyncio
import concurrent.futures
import json
import queue
import select
import socket
import sys
import threading
import time

TIMEOUT = 30  # seconds: only reached when something is wrong
report = {"thread_info": [sys.thread_info.name, sys.thread_info.lock]}

# Start and join; the thread's result comes back through shared memory.
results = []
t = threading.Thread(target=lambda: results.append(threading.current_thread().name), name="worker-1")
t.start()
t.join(TIMEOUT)
report["join"] = {"alive": t.is_alive(), "results": results, "idents_differ": t.ident != threading.get_ident()}

# A pool's map keeps the order of its inputs whatever the order the workers finish in.
with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    report["pool_map"] = list(pool.map(lambda n: n * n, range(10)))
    # Four tasks in a barrier of four: they run at the same time on four threads.
    barrier = threading.Barrier(4, timeout=TIMEOUT)
    report["pool_threads"] = len(set(pool.map(lambda _: (barrier.wait(), threading.get_ident())[1], range(4))))

# A producer and a consumer through a queue.
q = queue.Queue()
consumed = []
consumer = threading.Thread(target=lambda: [consumed.append(item) for item in iter(q.get, None)])
consumer.start()
for item in range(100):
    q.put(item)
q.put(None)
consumer.join(TIMEOUT)
report["queue"] = {"count": len(consumed), "in_order": consumed == list(range(100))}


# asyncio.to_thread runs the call on another thread while the loop goes on.
async def main():
    loop_thread = threading.get_ident()
    started = threading.Event()
    release = asyncio.Event()

    def blocking():
        started.set()
        # Waits for the loop to run a coroutine meanwhile: it only can if this is another thread.
        asyncio.run_coroutine_threadsafe(release.wait(), loop).result(TIMEOUT)
        return threading.get_ident()

    loop = asyncio.get_running_loop()
    task = asyncio.create_task(asyncio.to_thread(blocking))
    await asyncio.get_running_loop().run_in_executor(None, started.wait, TIMEOUT)
    release.set()
    return (await task) != loop_thread


report["to_thread"] = asyncio.run(main())


# Name lookups in threads: asyncio's runs in its default executor, and one in a plain thread.
def addresses(infos):
    return "127.0.0.1" in {info[4][0] for info in infos}


async def lookup_in_executor():
    return addresses(await asyncio.get_running_loop().getaddrinfo("localhost", 80, type=socket.SOCK_STREAM))


looked_up = {}
lookup = threading.Thread(target=lambda: looked_up.update(thread=addresses(socket.getaddrinfo("localhost", 80, type=socket.SOCK_STREAM))))
lookup.start()
lookup.join(TIMEOUT)
report["getaddrinfo"] = {"loop": asyncio.run(lookup_in_executor()), **looked_up}

# Blocking calls in threads: two sleep, one waits in recv and one in select for what the main
# thread sends once all have passed a barrier with it.
barrier = threading.Barrier(5, timeout=TIMEOUT)
a, b = socket.socketpair()
c, d = socket.socketpair()
got = {}


def sleeper(name):
    barrier.wait()
    time.sleep(0.05)
    got[name] = "slept"


def receiver():
    barrier.wait()
    got["recv"] = a.recv(16).decode()  # blocks until the main thread sends


def selector():
    barrier.wait()
    readable, _, _ = select.select([c], [], [], TIMEOUT)
    got["select"] = c.recv(16).decode() if readable else "timeout"


threads = [threading.Thread(target=sleeper, args=(f"sleep{i}",)) for i in range(2)]
threads += [threading.Thread(target=receiver), threading.Thread(target=selector)]
for t in threads:
    t.start()
barrier.wait()
b.sendall(b"ping")
d.sendall(b"pong")
for t in threads:
    t.join(TIMEOUT)
report["blocking"] = dict(sorted(got.items()))
for s in (a, b, c, d):
    s.close()

print(json.dumps(report))
