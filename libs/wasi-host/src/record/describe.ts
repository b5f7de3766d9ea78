// Calls of a run log in words: the plain form replay names a divergence with
// ("fd_read(3, 70000, 1, 69996)"), and the decoded form a trace prints, strace-style: paths,
// data, addresses and times read back from the memory the call read and wrote.
import { decodeAddress } from '../abi/addr.ts';
import { Errno } from '../errno.ts';
import { IPPROTO_TCP, SOL_SOCKET } from '../sockets/constants.ts';
import { Outcome, type CallRecord, type MemorySpan } from './format.ts';

export function describeCall(name: string, args: Array<number | bigint>): string {
  return `${name}(${args.map((a) => (typeof a === 'bigint' ? String(a) : String(a | 0))).join(', ')})`;
}

const ERRNO_NAMES = new Map<number, string>(Object.entries(Errno).map(([k, v]) => [v, `E${k}`]));
const CLOCKS = ['REALTIME', 'MONOTONIC', 'PROCESS_CPUTIME', 'THREAD_CPUTIME'];
const STRING_MAX = 48;

export const errnoName = (n: number): string => ERRNO_NAMES.get(n) ?? `errno ${n}`;

/** A byte string as strace shows one: quoted, escaped, cut at STRING_MAX with "...". */
export function quote(b: Uint8Array, max = STRING_MAX): string {
  const s = JSON.stringify(Buffer.from(b.subarray(0, max)).toString('latin1')).replace(/[\u0080-\u00ff]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return b.length > max ? `${s}...` : s;
}

const concat = (spans: MemorySpan[]): Buffer => Buffer.concat(spans.map((s) => s.bytes));
const u32 = (s: MemorySpan | undefined) => (s && s.bytes.length >= 4 ? Buffer.from(s.bytes).readUInt32LE(0) : undefined);
const u64 = (s: MemorySpan | undefined) => (s && s.bytes.length >= 8 ? Buffer.from(s.bytes).readBigUInt64LE(0) : undefined);
const text = (s: MemorySpan | undefined) => (s ? quote(s.bytes, 4096) : '?');

const level = (n: number) => (n === SOL_SOCKET ? 'SOL_SOCKET' : n === IPPROTO_TCP ? 'IPPROTO_TCP' : `level ${n}`);
/** A socket option's value: an int, or its bytes. */
const optionValue = (s: MemorySpan | undefined) => (!s ? '?' : s.bytes.length === 4 ? String(Buffer.from(s.bytes).readInt32LE(0)) : quote(s.bytes));

/** The address a sock_* call read ({buf, len} then the buffer), as host:port. */
function addressText(reads: MemorySpan[], from: number, port: number): string {
  const buf = reads[from + 1];
  const a = buf ? decodeAddress(buf.bytes) : null;
  if (!a) return '?';
  return a.kind === 'unix' ? JSON.stringify(a.path) : a.family === 6 ? `[${a.address}]:${port}` : `${a.address}:${port}`;
}

export interface DecodedCall {
  /** The arguments as shown, e.g. `3, "data.txt", O_CREAT` */
  args: string;
  /** What the call gave back besides its errno: `fd 4`, `12 bytes "..."`, `1733500000.123456789`. */
  out?: string;
}

type Decoder = (r: CallRecord, a: number[]) => DecodedCall;

/** A read's data: the bytes the host put into the iovecs (every write span but the count). */
const readData = (r: CallRecord, countAt: number): string | undefined => {
  const n = u32(r.writes.find((w) => w.ptr === (r.args[countAt] as number) >>> 0));
  if (n === undefined) return undefined;
  const data = concat(r.writes.filter((w) => w.ptr !== (r.args[countAt] as number) >>> 0)).subarray(0, n);
  return `${n} bytes ${quote(data)}`;
};
const written = (r: CallRecord, countAt: number) => {
  const n = u32(r.writes[0]);
  return n === undefined ? undefined : `${n} bytes`;
};
const fdOut = (r: CallRecord) => (u32(r.writes.at(-1)) !== undefined ? `fd ${u32(r.writes.at(-1))}` : undefined);
const opt = (out: string | undefined): Partial<DecodedCall> => (out !== undefined ? { out } : {});

const DECODERS: Record<string, Decoder> = {
  fd_write: (r, a) => ({ args: `${a[0]}, ${quote(concat(r.reads))}`, ...opt(written(r, 3)) }),
  fd_pwrite: (r, a) => ({ args: `${a[0]}, ${quote(concat(r.reads))}, ${r.args[3]}`, ...opt(written(r, 4)) }),
  fd_read: (r, a) => ({ args: `${a[0]}`, ...opt(readData(r, 3)) }),
  fd_pread: (r, a) => ({ args: `${a[0]}, offset ${r.args[3]}`, ...opt(readData(r, 4)) }),
  fd_seek: (r, a) => ({ args: `${a[0]}, ${r.args[1]}, ${['SET', 'CUR', 'END'][a[2]!] ?? a[2]}`, ...opt(u64(r.writes[0])?.toString()) }),
  fd_close: (_r, a) => ({ args: `${a[0]}` }),
  path_open: (r, a) => ({ args: `${a[0]}, ${text(r.reads[0])}, oflags 0x${(a[4]! >>> 0).toString(16)}, fdflags 0x${(a[7]! >>> 0).toString(16)}`, ...opt(fdOut(r)) }),
  path_filestat_get: (r, a) => ({ args: `${a[0]}, ${text(r.reads[0])}` }),
  path_unlink_file: (r, a) => ({ args: `${a[0]}, ${text(r.reads[0])}` }),
  path_create_directory: (r, a) => ({ args: `${a[0]}, ${text(r.reads[0])}` }),
  path_remove_directory: (r, a) => ({ args: `${a[0]}, ${text(r.reads[0])}` }),
  path_rename: (r, a) => ({ args: `${a[0]}, ${text(r.reads[0])}, ${a[3]}, ${text(r.reads[1])}` }),
  path_readlink: (r, a) => ({ args: `${a[0]}, ${text(r.reads[0])}`, ...opt(r.writes[0] && quote(r.writes[0].bytes)) }),
  clock_time_get: (r, a) => {
    const ns = u64(r.writes[0]);
    return { args: CLOCKS[a[0]!] ?? String(a[0]), ...opt(ns === undefined ? undefined : `${ns / 1_000_000_000n}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}`) };
  },
  clock_res_get: (r, a) => ({ args: CLOCKS[a[0]!] ?? String(a[0]), ...opt(u64(r.writes[0]) !== undefined ? `${u64(r.writes[0])} ns` : undefined) }),
  random_get: (_r, a) => ({ args: `${a[1]! >>> 0} bytes` }),
  poll_oneoff: (r, a) => ({ args: `${a[2]! >>> 0} subscriptions`, ...opt(u32(r.writes.at(-1)) !== undefined ? `${u32(r.writes.at(-1))} events` : undefined) }),
  proc_exit: (_r, a) => ({ args: `${a[0]! >>> 0}` }),
  sock_open: (r, a) => ({ args: `${['UNSPEC', 'INET', 'INET6', 'UNIX'][a[0]!] ?? a[0]}, ${['ANY', 'DGRAM', 'STREAM'][a[1]!] ?? a[1]}`, ...opt(fdOut(r)) }),
  sock_connect: (r, a) => ({ args: `${a[0]}, ${addressText(r.reads, 0, a[2]!)}` }),
  sock_bind: (r, a) => ({ args: `${a[0]}, ${addressText(r.reads, 0, a[2]!)}` }),
  sock_listen: (_r, a) => ({ args: `${a[0]}, backlog ${a[1]}` }),
  sock_accept: (r, a) => ({ args: `${a[0]}`, ...opt(fdOut(r)) }),
  sock_send: (r, a) => ({ args: `${a[0]}, ${quote(concat(r.reads))}`, ...opt(written(r, 4)) }),
  sock_recv: (r, a) => ({ args: `${a[0]}`, ...opt(readData(r, 4)) }),
  sock_shutdown: (_r, a) => ({ args: `${a[0]}, ${['', 'RD', 'WR', 'RDWR'][a[1]!] ?? a[1]}` }),
  sock_setsockopt: (r, a) => ({ args: `${a[0]}, ${level(a[1]!)}, ${a[2]}, ${optionValue(r.reads[0])}` }),
  sock_getsockopt: (r, a) => ({ args: `${a[0]}, ${level(a[1]!)}, ${a[2]}`, ...opt(r.writes[0] && optionValue(r.writes[0])) }),
  sock_getaddrinfo: (r) => ({ args: `${text(r.reads[0])}, ${text(r.reads[1])}`, ...opt(u32(r.writes[0]) !== undefined ? `${u32(r.writes[0])} answers` : undefined) }),
};

/** A record decoded: the args shown, the result (`= 0`, `= -1 ENOENT`, `= exit 3`) and what the
 * call gave back. */
export function decodeRecord(name: string, r: CallRecord): { args: string; result: string; errno?: string; out?: string } {
  const a = r.args.map((v) => (typeof v === 'bigint' ? Number(v) : v | 0));
  const d: DecodedCall = (DECODERS[name] ?? ((rec: CallRecord): DecodedCall => ({ args: rec.args.map(String).join(', ') })))(r, a);
  if (r.outcome === Outcome.EXITED) return { args: d.args, result: `exit ${r.value}` };
  if (r.outcome === Outcome.THREW) return { args: d.args, result: `failed: ${r.message}` };
  if (r.value !== 0) return { args: d.args, result: `${r.value}`, errno: errnoName(r.value) };
  return { args: d.args, result: '0', ...(d.out !== undefined ? { out: d.out } : {}) };
}
