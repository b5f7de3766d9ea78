# UDP across guest threads, as CPython's ThreadableTest (test_socket) uses it: the server socket
# is the main thread's, blocked in recv; each round a client thread opens its own socket, binds it,
# sends one datagram to the server, closes the socket and exits. Every datagram must arrive (the
# host once dropped a datagram whose socket was closed right after sendto, and the server's recv
# then waited forever: here it gives up after 5 s and counts the datagram as lost).
import socket
import sys
import threading

ROUNDS = int(sys.argv[1]) if len(sys.argv) > 1 else 40


def round_trip(family, host, i):
    server = socket.socket(family, socket.SOCK_DGRAM)
    server.bind((host, 0))
    server.settimeout(5)
    addr = server.getsockname()
    payload = b"datagram %d" % i

    def client():
        c = socket.socket(family, socket.SOCK_DGRAM)
        c.bind((host, 0))  # bound before the send, as test_socket's clients are
        c.sendto(payload, addr)
        c.close()

    t = threading.Thread(target=client)
    t.start()
    try:
        got = server.recv(1024)
    except TimeoutError:
        got = None
    t.join()
    server.close()
    return got == payload


lost = 0
for i in range(ROUNDS):
    if not round_trip(socket.AF_INET, "127.0.0.1", i):
        lost += 1
for i in range(ROUNDS // 4):
    if not round_trip(socket.AF_INET6, "::1", i):
        lost += 1
print(f"lost {lost} of {ROUNDS + ROUNDS // 4} datagrams")
sys.exit(1 if lost else 0)
