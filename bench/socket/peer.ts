// The benchmark's TCP peer: one loopback server per mode of bench/socket/throughput.c, on this
// process's event loop, shared by the native and the wasm client so both meet the same peer.
import * as net from 'node:net';

export type PeerMode = 'send' | 'recv' | 'echo' | 'connect';

export interface Peer {
  port: number;
  close(): Promise<void>;
}

/** Starts the peer for `mode`. For 'recv' it writes `recvBytes` to each connection, then closes. */
export async function startPeer(mode: PeerMode, recvBytes = 0): Promise<Peer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    switch (mode) {
      case 'send': {
        // Count until the client's FIN, then answer with the count and close.
        let n = 0;
        sock.on('data', (d: Buffer) => {
          n += d.length;
        });
        sock.on('end', () => sock.end(`${n}\n`));
        break;
      }
      case 'recv': {
        const chunk = Buffer.alloc(256 * 1024, 0x5a);
        let left = recvBytes;
        const pump = () => {
          while (left > 0) {
            const n = Math.min(left, chunk.length);
            left -= n;
            if (!sock.write(n === chunk.length ? chunk : chunk.subarray(0, n))) {
              sock.once('drain', pump);
              return;
            }
          }
          sock.end();
        };
        sock.on('data', () => {});
        pump();
        break;
      }
      case 'echo':
      case 'connect':
        sock.on('data', (d: Buffer) => sock.write(d));
        sock.on('end', () => sock.end());
        break;
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
