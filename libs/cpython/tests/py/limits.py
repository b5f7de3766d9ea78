# What `pywasi python` limits look like from inside (limits.test.ts runs it with the flags):
#   limits.py memory        allocate 1 MiB at a time until refused (MemoryError ends the run)
#   limits.py spin          loop forever (--timeout ends it)
#   limits.py fds           open /dev/null until refused; prints how many and the errno
#   limits.py connect PORT  connect to 127.0.0.1:PORT and to 127.0.0.2:PORT; prints both outcomes
import errno
import json
import os
import socket
import sys

what = sys.argv[1]
if what == "memory":
    hoard = []
    while True:
        hoard.append(bytearray(1 << 20))
elif what == "spin":
    while True:
        pass
elif what == "fds":
    opened = []
    try:
        while True:
            opened.append(os.open("/dev/null", os.O_RDONLY))
    except OSError as e:
        print(json.dumps({"opened": len(opened), "highest": max(opened), "errno": errno.errorcode[e.errno]}))
elif what == "connect":
    port = int(sys.argv[2])
    out = {}
    for host in ("127.0.0.1", "127.0.0.2"):
        try:
            socket.create_connection((host, port), timeout=5).close()
            out[host] = "connected"
        except OSError as e:
            out[host] = errno.errorcode.get(e.errno, str(e))
    print(json.dumps(out))
