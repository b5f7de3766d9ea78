"""An asyncio TCP echo server and several concurrent clients in one process."""
import asyncio
import json


async def handle(reader, writer):
    while data := await reader.read(65536):
        writer.write(data.upper())
        await writer.drain()
    writer.close()
    await writer.wait_closed()


async def client(port, n):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answers = []
    for i in range(5):
        writer.write(f"client {n} message {i}\n".encode())
        await writer.drain()
        answers.append((await reader.readline()).decode().strip())
    big = b"x" * 200_000 + b"\n"  # more than one socket buffer each way
    writer.write(big)
    await writer.drain()
    echoed = await reader.readexactly(len(big))
    writer.close()
    await writer.wait_closed()
    assert echoed == big.upper()
    return answers


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        results = await asyncio.wait_for(asyncio.gather(*(client(port, n) for n in range(4))), 30)
    for n, answers in enumerate(results):
        assert answers == [f"CLIENT {n} MESSAGE {i}" for i in range(5)], answers
    print(json.dumps({"port": port, "clients": len(results), "answers": results[0]}))


asyncio.run(main())
