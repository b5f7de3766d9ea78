"""TLS clients in python.wasm against native servers started by tls.test.ts; prints one JSON report.

Usage: tls_client.py GOOD EXPIRED UNKNOWN_CA SILENT SLOW (ports on 127.0.0.1; "localhost" names
them).
GOOD answers HTTPS with a certificate of the test CA, which the guest trusts only through the
host's default trust (pywasi --ca-file): every context here is ssl.create_default_context().
EXPIRED and UNKNOWN_CA present bad certificates; SILENT accepts and never speaks (timeouts); SLOW
relays to GOOD after 200 ms (so a non-blocking handshake must wait for the server).
"""
import asyncio
import http.client
import json
import selectors
import socket
import ssl
import sys
import urllib.request

good, expired, unknown_ca, silent, slow = (int(p) for p in sys.argv[1:6])
report = {}


def check(name):
    def run(fn):
        try:
            report[name] = fn()
        except Exception as e:  # the report says what failed; the test compares it
            report[name] = {"error": type(e).__name__, "message": str(e)[:300]}
        return fn

    return run


@check("urllib_get")
def _():
    with urllib.request.urlopen(f"https://localhost:{good}/hello", timeout=20) as r:
        return {"status": r.status, "body": r.read().decode()}


@check("urllib_post")
def _():
    request = urllib.request.Request(f"https://localhost:{good}/echo", data=b"from python.wasm", method="POST")
    with urllib.request.urlopen(request, timeout=20) as r:
        return {"status": r.status, "body": r.read().decode()}


@check("http_client")
def _():
    conn = http.client.HTTPSConnection("localhost", good, context=ssl.create_default_context(), timeout=20)
    conn.request("GET", "/hello")
    response = conn.getresponse()
    body = response.read().decode()
    info = {"status": response.status, "body": body, "version": conn.sock.version()}
    conn.close()
    return info


@check("asyncio")
def _():
    async def fetch():
        # A host name, not an address: asyncio resolves it without an executor thread on WASI.
        reader, writer = await asyncio.open_connection("localhost", good, ssl=ssl.create_default_context())
        writer.write(b"GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        data = await reader.read()
        version = writer.get_extra_info("ssl_object").version()
        writer.close()
        await writer.wait_closed()
        head, _, body = data.partition(b"\r\n\r\n")
        return {"status_line": head.split(b"\r\n")[0].decode(), "body": body.decode(), "version": version}

    return asyncio.run(fetch())


@check("alpn_sni")
def _():
    context = ssl.create_default_context()
    context.set_alpn_protocols(["pywasi/1", "http/1.1"])
    with socket.create_connection(("127.0.0.1", good), timeout=20) as raw:
        with context.wrap_socket(raw, server_hostname="localhost") as tls:
            return {"alpn": tls.selected_alpn_protocol(), "version": tls.version(), "cipher": tls.cipher()[0]}


def verify_failure(port, server_hostname):
    with socket.create_connection(("127.0.0.1", port), timeout=20) as raw:
        try:
            with ssl.create_default_context().wrap_socket(raw, server_hostname=server_hostname):
                return {"error": None}
        except ssl.SSLCertVerificationError as e:
            return {"error": "SSLCertVerificationError", "reason": e.verify_message}


check("wrong_hostname")(lambda: verify_failure(good, "wrong.example"))
check("expired")(lambda: verify_failure(expired, "localhost"))
check("unknown_ca")(lambda: verify_failure(unknown_ca, "localhost"))


@check("nonblocking")
def _():
    # The handshake driven by a selector, as an event loop drives it: each WantRead/WantWrite
    # waits for the socket, never for a blocking call.
    raw = socket.create_connection(("127.0.0.1", slow), timeout=20)
    raw.setblocking(False)
    tls = ssl.create_default_context().wrap_socket(raw, server_hostname="localhost", do_handshake_on_connect=False)
    waits = {"read": 0, "write": 0}
    with selectors.DefaultSelector() as sel:
        sel.register(tls, selectors.EVENT_READ)
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                waits["read"] += 1
                sel.modify(tls, selectors.EVENT_READ)
            except ssl.SSLWantWriteError:
                waits["write"] += 1
                sel.modify(tls, selectors.EVENT_WRITE)
            if not sel.select(20):
                raise TimeoutError("handshake stalled")
        version = tls.version()
        request = b"GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
        sent = tls.send(request)
        data = b""
        sel.modify(tls, selectors.EVENT_READ)
        while True:
            try:
                chunk = tls.recv(65536)
            except ssl.SSLWantReadError:
                if not sel.select(20):
                    raise TimeoutError("response stalled")
                continue
            if not chunk:
                break
            data += chunk
    tls.close()
    return {"version": version, "waited_for_read": waits["read"] > 0, "sent": sent == len(request),
            "body": data.partition(b"\r\n\r\n")[2].decode()}


@check("timeout")
def _():
    # A server that accepts and never answers the ClientHello: the handshake times out.
    with socket.create_connection(("127.0.0.1", silent), timeout=1.0) as raw:
        try:
            ssl.create_default_context().wrap_socket(raw, server_hostname="localhost")
            return {"error": None}
        except (TimeoutError, socket.timeout) as e:
            return {"error": type(e).__name__, "message": str(e)}


print(json.dumps(report))
