"""Ctrl-C in the threads build: KeyboardInterrupt is raised in the main thread, waiting on a lock
(an Event), while one thread blocks in recv and another runs Python code. The interrupt ends
neither: after it, the main thread sends what the first waits for and stops the second, and both
finish. Prints "waiting:event" when the main thread is about to wait, then one JSON line. (Not a
wait in join(): CPython 3.11 releases the lock of a thread whose join() was interrupted while it
still runs, and that thread then fails to release it.)"""
import json
import socket
import threading

TIMEOUT = 30  # seconds: only reached when something is wrong
a, b = socket.socketpair()
got = {}
stop = threading.Event()


def receiver():
    got["recv"] = a.recv(16).decode()


def spinner():
    turns = 0
    while not stop.is_set():
        turns += 1
    got["spun"] = turns > 0


threads = [threading.Thread(target=receiver), threading.Thread(target=spinner)]
for t in threads:
    t.start()
print("waiting:event", flush=True)
caught = None
try:
    threading.Event().wait(TIMEOUT)
except KeyboardInterrupt:
    caught = threading.current_thread().name
b.sendall(b"after")
stop.set()
for t in threads:
    t.join(TIMEOUT)
print(json.dumps({"caught": caught, "alive": [t.is_alive() for t in threads], **dict(sorted(got.items()))}))
