"""Socket timeouts raise TimeoutError (socket.timeout is its alias since 3.10)."""
import json
import socket
import time

assert socket.timeout is TimeoutError
report = {}

listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.bind(("127.0.0.1", 0))
listener.listen(1)
listener.settimeout(0.3)
start = time.monotonic()
try:
    listener.accept()
except TimeoutError as error:
    report["accept"] = {"error": str(error), "seconds": time.monotonic() - start}
else:
    raise AssertionError("accept() returned without a client")

client = socket.create_connection(listener.getsockname(), timeout=5)
client.settimeout(0.3)
start = time.monotonic()
try:
    client.recv(1)  # connected, but the peer never sends
except TimeoutError as error:
    report["recv"] = {"error": str(error), "seconds": time.monotonic() - start, "class": type(error).__name__}
else:
    raise AssertionError("recv() returned without data")
assert client.gettimeout() == 0.3
client.close()
listener.close()
print(json.dumps(report))
