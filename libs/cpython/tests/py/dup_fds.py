# os.dup, os.dup2 and the socket module's duplicates (socket.fromfd, socket.dup,
# socket.socket(fileno=)) in python.wasm: each duplicate shares its original's open file
# description, and outlives it. Prints one JSON line of findings (dup.test.ts checks them).
import json
import os
import socket
import sys
import tempfile

found = {}

# Files: one offset, one set of status flags; closing one leaves the other.
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "f.txt")
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    os.write(fd, b"hello world")
    copy = os.dup(fd)
    os.lseek(fd, 0, os.SEEK_SET)
    first = os.read(copy, 5)
    shared_offset = os.lseek(fd, 0, os.SEEK_CUR)
    os.close(fd)
    rest = os.read(copy, 100)
    high = os.dup2(copy, 40)
    found["file"] = {"first": first.decode(), "offset": shared_offset, "rest": rest.decode(), "dup2": high,
                     "inheritable": os.get_inheritable(high)}
    os.close(copy)
    os.close(high)

# stdout: a duplicate writes to the same place.
out = os.dup(1)
os.write(out, b"written through os.dup(1)\n")
os.close(out)

# TCP: a listening socket used through socket.fromfd; the original closed first.
server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.bind(("127.0.0.1", 0))
server.listen()
port = server.getsockname()[1]
listening = socket.fromfd(server.fileno(), socket.AF_INET, socket.SOCK_STREAM)
server.close()
client = socket.create_connection(("127.0.0.1", port))
conn, _ = listening.accept()
# A connected socket: its duplicate sends, the original receives, flags are shared.
twin = conn.dup()
twin.sendall(b"ping")
got = client.recv(16)
client.sendall(b"pong")
back = conn.recv(16)
twin.setblocking(False)
blocking_seen = os.get_blocking(conn.fileno())
twin.setblocking(True)
by_fileno = socket.socket(fileno=os.dup(conn.fileno()))
found["tcp"] = {
    "got": got.decode(), "back": back.decode(), "blocking_seen_by_original": blocking_seen,
    "fileno_family": by_fileno.family.name, "fileno_peer_port": by_fileno.getpeername()[1] == client.getsockname()[1],
}
conn.close()
twin.sendall(b"after close")
found["tcp"]["after_original_closed"] = client.recv(32).decode()
by_fileno.close()
twin.close()
client.close()
listening.close()

# UDP and UNIX stream sockets.
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
u2 = u.dup()
sender = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sender.sendto(b"datagram", u.getsockname())
found["udp"] = u2.recvfrom(64)[0].decode()
for s in (u, u2, sender):
    s.close()

with tempfile.TemporaryDirectory() as tmp:
    where = os.path.join(tmp, "s.sock")
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(where)
    ls.listen()
    lcopy = socket.fromfd(ls.fileno(), socket.AF_UNIX, socket.SOCK_STREAM)
    ls.close()
    c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    c.connect(where)
    a, _ = lcopy.accept()
    c.sendall(b"unix")
    found["unix"] = a.recv(16).decode()
    for s in (a, c, lcopy):
        s.close()

print(json.dumps(found))
