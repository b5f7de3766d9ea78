"""TLS client workloads for bench/tls.ts, timed inside the interpreter; prints one JSON line.

  tls_client.py download PORT CAFILE        read until EOF: {"bytes", "seconds", "cipher"}
  tls_client.py handshakes PORT CAFILE N    N fresh connections, each a full handshake (no
                                            session reuse): medians of the TCP connect and of
                                            the handshake alone {"connect_ms", "median_ms", "cipher"}
The same script runs in python.wasm and in native python3.11.
"""
import json
import socket
import ssl
import statistics
import sys
import time

mode, port, cafile = sys.argv[1], int(sys.argv[2]), sys.argv[3]
context = ssl.create_default_context(cafile=cafile)


def connect():
    raw = socket.create_connection(("127.0.0.1", port))
    return context.wrap_socket(raw, server_hostname="localhost")


if mode == "download":
    with connect() as tls:
        cipher = tls.cipher()[0]
        buf = bytearray(1 << 20)
        total = 0
        started = time.perf_counter()
        while True:
            n = tls.recv_into(buf)
            if n == 0:
                break
            total += n
        seconds = time.perf_counter() - started
    print(json.dumps({"bytes": total, "seconds": seconds, "cipher": cipher}))
elif mode == "handshakes":
    connects, handshakes = [], []
    for _ in range(int(sys.argv[4])):
        started = time.perf_counter()
        raw = socket.create_connection(("127.0.0.1", port))
        connected = time.perf_counter()
        tls = context.wrap_socket(raw, server_hostname="localhost")  # the handshake
        handshakes.append(time.perf_counter() - connected)
        connects.append(connected - started)
        cipher = tls.cipher()[0]
        tls.close()
    print(json.dumps({"connect_ms": statistics.median(connects) * 1000, "median_ms": statistics.median(handshakes) * 1000, "cipher": cipher}))
else:
    sys.exit(f"unknown mode {mode}")
