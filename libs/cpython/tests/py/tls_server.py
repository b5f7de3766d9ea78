"""TLS servers in python.wasm answering a native client (tls.test.ts).

Usage: tls_server.py CERT KEY. Prints {"asyncio": port, "blocking": port} once both listen on
127.0.0.1, then answers one connection on each, in that order: the asyncio server
(asyncio.start_server(ssl=...)), then a blocking server socket wrapped by SSLContext.wrap_socket.
Each reads one line and answers "<kind> got <line>" with the TLS version, then the script exits.
"""
import asyncio
import json
import socket
import ssl
import sys

cert, key = sys.argv[1:3]
context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)

blocking = socket.create_server(("127.0.0.1", 0))
tls_listener = context.wrap_socket(blocking, server_side=True)  # takes over (detaches) blocking


async def serve_asyncio():
    done = asyncio.get_running_loop().create_future()

    async def answer(reader, writer):
        line = (await reader.readline()).decode().strip()
        version = writer.get_extra_info("ssl_object").version()
        writer.write(f"asyncio got {line} over {version}\n".encode())
        await writer.drain()
        writer.close()
        await writer.wait_closed()
        done.set_result(None)

    server = await asyncio.start_server(answer, "127.0.0.1", 0, ssl=context)
    ports = {"asyncio": server.sockets[0].getsockname()[1], "blocking": tls_listener.getsockname()[1]}
    print(json.dumps(ports), flush=True)
    await done
    server.close()
    await server.wait_closed()


asyncio.run(serve_asyncio())

conn, _ = tls_listener.accept()  # the handshake happens here (do_handshake_on_connect)
with conn:
    line = conn.makefile("rb").readline().decode().strip()
    conn.sendall(f"blocking got {line} over {conn.version()}\n".encode())
tls_listener.close()
