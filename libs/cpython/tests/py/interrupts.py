"""Ctrl-C in python.wasm (interrupt.test.ts sends SIGINT when a phase says it is waiting).

script:  a loop in try/finally with an atexit hook; the interrupt is not caught.
phases:  one KeyboardInterrupt per blocking place, each caught, then {"caught": [...]}.
pipe:    input() from a pipe, where the host's read cannot be woken.
"""
import atexit
import json
import select
import socket
import sys
import time


def waiting(phase):
    print(f"waiting:{phase}", flush=True)


def script():
    atexit.register(lambda: print("atexit ran", flush=True))
    try:
        waiting("loop")
        n = 0
        while True:
            n += 1
    finally:
        print("finally ran", flush=True)


def phases():
    caught = []

    def expect_interrupt(phase, block):
        waiting(phase)
        try:
            block()
        except KeyboardInterrupt:
            caught.append(phase)

    def spin():
        n = 0
        while True:
            n += 1

    expect_interrupt("loop", spin)
    expect_interrupt("sleep", lambda: time.sleep(60))
    server = socket.create_server(("127.0.0.1", 0))
    expect_interrupt("accept", server.accept)
    client = socket.create_connection(server.getsockname())
    peer, _ = server.accept()
    expect_interrupt("recv", lambda: client.recv(10))
    expect_interrupt("select", lambda: select.select([client], [], [], 60))
    # The connection still works after the interrupted calls.
    peer.sendall(b"after")
    got = client.recv(10).decode()
    print(json.dumps({"caught": caught, "after": got}), flush=True)


def pipe():
    waiting("input")
    input()


{"script": script, "phases": phases, "pipe": pipe}[sys.argv[1]]()
