"""UDP through the socket module: sendto a native echo peer, recvfrom its answer, and check the
address recvfrom reports (host, and the port in the right byte order). Prints one JSON line."""
import json
import socket
import sys

host, port = sys.argv[1], int(sys.argv[2])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.settimeout(10)
assert sock.type == socket.SOCK_DGRAM, sock.type
answers = []
for i in range(3):
    message = f"datagram {i}".encode()
    assert sock.sendto(message, (host, port)) == len(message)
    data, sender = sock.recvfrom(2048)
    answers.append({"data": data.decode(), "sender": list(sender)})
local = sock.getsockname()
sock.close()
print(json.dumps({"answers": answers, "local_port_set": local[1] != 0}))
