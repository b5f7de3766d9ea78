"""A minimal asyncio HTTP/1.1 keep-alive server: the load bench (bench/http-load.ts) and the fault
tests (network.test.ts) run it, on native python3.11 and in python.wasm.

    asyncio_http.py PORT      listens on 127.0.0.1:PORT with a backlog of 4,096, prints "READY"

GET /        -> 200 "ok" (what the load generator asks for)
GET /big     -> 200, 64 KiB (fills a slow reader's socket buffers)
GET /stats   -> 200 JSON {"open": connections open now (the asking one included), "served": requests
                so far, "errors": errors logged}
Every error the server meets is written to stderr (one line each): the bench counts them.
"""
import asyncio
import json
import sys

BODY = b"ok"
BIG = bytes(range(256)) * 256
state = {"open": 0, "served": 0, "errors": 0}


def log_error(what):
    state["errors"] += 1
    print(f"server error: {what}", file=sys.stderr, flush=True)


async def handle(reader, writer):
    state["open"] += 1
    try:
        while True:
            request = await reader.readuntil(b"\r\n\r\n")
            target = request.split(b" ", 2)[1] if request.count(b" ") >= 2 else b"/"
            body = json.dumps(state).encode() if target == b"/stats" else BIG if target == b"/big" else BODY
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nContent-Type: text/plain\r\n\r\n%s" % (len(body), body))
            state["served"] += 1
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionResetError, BrokenPipeError):
        pass  # the client went away between requests: normal for a load generator
    except Exception as error:  # anything else is a server error
        log_error(repr(error))
    finally:
        state["open"] -= 1
        writer.close()


def on_loop_error(loop, context):
    log_error(context.get("message", "") + " " + repr(context.get("exception")))


async def main(port):
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(on_loop_error)
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
    print("READY", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main(int(sys.argv[1])))
    except KeyboardInterrupt:
        pass
