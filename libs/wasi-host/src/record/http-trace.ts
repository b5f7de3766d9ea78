// `trace http`: the HTTP/1.x exchanges of a run, rebuilt from the bytes its sockets sent and
// received (the log holds both). A connection's two byte streams are cut into messages — a head up
// to the blank line, then a body by Content-Length, chunked coding, or up to the close — and each
// is shown by its head and its body's size. A TLS connection shows its byte counts only.
import { decodeAddress } from '../abi/addr.ts';
import { Outcome, type CallRecord, type ParsedLog } from './format.ts';
import { quote } from './describe.ts';

interface Connection {
  fd: number;
  /** "to 127.0.0.1:8080" or "accepted" */
  what: string;
  sent: Buffer[];
  received: Buffer[];
}

const u32 = (b: Uint8Array | undefined) => (b && b.length >= 4 ? Buffer.from(b).readUInt32LE(0) : 0);

/** The bytes a send took (the first `nwritten` of what it read). */
function sentBytes(r: CallRecord): Buffer {
  const n = u32(r.writes[0]?.bytes);
  return Buffer.concat(r.reads.map((s) => s.bytes)).subarray(0, n);
}

/** The bytes a receive put into the iovecs (every write span but the counts). */
function receivedBytes(r: CallRecord, countAt: number): Buffer {
  const countPtr = (r.args[countAt] as number) >>> 0;
  const n = u32(r.writes.find((w) => w.ptr === countPtr)?.bytes);
  return Buffer.concat(r.writes.filter((w) => w.ptr !== countPtr).map((w) => w.bytes)).subarray(0, n);
}

function connections(log: ParsedLog): Connection[] {
  const open = new Map<number, Connection>();
  const all: Connection[] = [];
  for (const r of log.records) {
    if (r.outcome !== Outcome.RETURNED || r.value !== 0) continue;
    const name = log.header.imports[r.fn]!;
    const fd = (r.args[0] as number) >>> 0;
    if (name === 'sock_connect') {
      const a = r.reads[1] ? decodeAddress(r.reads[1].bytes) : null;
      const c = { fd, what: `to ${a ? (a.kind === 'unix' ? a.path : `${a.address}:${r.args[2]}`) : '?'}`, sent: [], received: [] };
      open.set(fd, c);
      all.push(c);
    } else if (name === 'sock_accept') {
      const c = { fd: u32(r.writes.at(-1)?.bytes), what: `accepted on fd ${fd}`, sent: [], received: [] };
      open.set(c.fd, c);
      all.push(c);
    } else if (name === 'fd_close') open.delete(fd);
    const c = open.get(fd);
    if (!c) continue;
    if (name === 'sock_send' || name === 'fd_write') c.sent.push(sentBytes(r));
    else if (name === 'sock_recv') c.received.push(receivedBytes(r, 4));
    else if (name === 'fd_read') c.received.push(receivedBytes(r, 3));
  }
  return all;
}

/** The messages of one direction of a connection: each a head and its body's length. */
function messages(stream: Buffer): Array<{ head: string[]; body: number; preview: Buffer }> {
  const out: Array<{ head: string[]; body: number; preview: Buffer }> = [];
  let at = 0;
  while (at < stream.length) {
    const end = stream.indexOf('\r\n\r\n', at);
    if (end < 0) {
      out.push({ head: [`(${stream.length - at} more bytes, not an HTTP head)`], body: 0, preview: Buffer.alloc(0) });
      break;
    }
    const head = stream.subarray(at, end).toString('latin1').split('\r\n');
    at = end + 4;
    const header = (name: string) => head.find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
    let body = 0;
    const start = at;
    if (header('transfer-encoding')?.toLowerCase().includes('chunked')) {
      for (;;) {
        const line = stream.indexOf('\r\n', at);
        if (line < 0) break;
        const size = parseInt(stream.subarray(at, line).toString('latin1'), 16);
        if (!Number.isFinite(size)) break;
        at = line + 2 + size + 2;
        body += size;
        if (size === 0) break;
      }
    } else if (header('content-length') !== undefined) {
      body = Math.min(Number(header('content-length')), stream.length - at);
      at += body;
    } else if (!/^(GET|HEAD|DELETE|OPTIONS) /.test(head[0] ?? '')) {
      body = stream.length - at; // up to the close
      at = stream.length;
    }
    out.push({ head, body, preview: stream.subarray(start, Math.min(at, start + 48)) });
  }
  return out;
}

/** The HTTP exchanges of a parsed log, as lines. */
export function traceHttp(log: ParsedLog): string[] {
  const lines: string[] = [];
  for (const c of connections(log)) {
    const sent = Buffer.concat(c.sent);
    const received = Buffer.concat(c.received);
    lines.push(`connection fd ${c.fd} ${c.what}: ${sent.length} bytes sent, ${received.length} received`);
    if (sent[0] === 0x16 || received[0] === 0x16) {
      lines.push('  TLS (encrypted: byte counts only)');
      continue;
    }
    // The side that spoke first sends the requests.
    const [requests, responses] = c.what.startsWith('accepted') ? [received, sent] : [sent, received];
    const reqs = messages(requests);
    const resps = messages(responses);
    for (let i = 0; i < Math.max(reqs.length, resps.length); i++) {
      for (const [mark, m] of [['>', reqs[i]], ['<', resps[i]]] as const) {
        if (!m) continue;
        for (const h of m.head) lines.push(`  ${mark} ${h}`);
        lines.push(`  ${mark} ${m.body ? `[body: ${m.body} bytes ${quote(m.preview)}]` : '[no body]'}`);
      }
    }
  }
  return lines;
}
