"""select on WASI the way asyncore uses it (libs/cpython/source/patches/0020): a socket in
select()'s third list (asyncore.loop passes every socket there) waits like the others and comes
back in no exceptional list, instead of failing with ENOSYS; select.POLLPRI is a flag of its own,
which poll() accepts and never reports. An asyncore-style echo server in a thread (test_asynchat's
shape) answers a client of the main thread; with --no-threads (a build without threads) that part
is left out. Prints one JSON line."""
import json
import select
import socket
import sys
import threading

TIMEOUT = 30  # seconds: only reached when something is wrong
report = {}

a, b = socket.socketpair()
b.send(b"x")
r, _, x = select.select([a], [], [a], TIMEOUT)
report["select_read"] = {"r": r == [a], "x": x}
_, w, x = select.select([], [a], [a], TIMEOUT)
report["select_write"] = {"w": w == [a], "x": x}
report["select_only_x"] = select.select([], [], [a], 0)

flags = [select.POLLIN, select.POLLPRI, select.POLLOUT, select.POLLERR, select.POLLHUP, select.POLLNVAL]
report["pollpri_own_bit"] = select.POLLPRI != 0 and all(f & select.POLLPRI == 0 for f in flags if f != select.POLLPRI)
poller = select.poll()
poller.register(a, select.POLLIN | select.POLLPRI)
report["poll"] = [(fd == a.fileno(), ev) for fd, ev in poller.poll(TIMEOUT * 1000)]
a.close()
b.close()
if "--no-threads" in sys.argv[1:]:
    print(json.dumps(report))
    sys.exit(0)

# The server thread loops on select() with every socket in all three lists, as asyncore does.
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen()
listener.setblocking(False)


def serve():
    conn = None
    while True:
        socks = [listener] if conn is None else [conn]
        r, _, x = select.select(socks, [], socks, TIMEOUT)
        if x or not r:
            return
        if conn is None:
            conn, _ = listener.accept()
            continue
        data = conn.recv(100)
        if not data:
            conn.close()
            return
        conn.sendall(data.upper())


server = threading.Thread(target=serve)
server.start()
with socket.create_connection(listener.getsockname(), timeout=TIMEOUT) as client:
    client.sendall(b"echo")
    report["echo"] = client.recv(100).decode()
server.join(TIMEOUT)
report["server_done"] = not server.is_alive()
listener.close()
print(json.dumps(report))
