// sock_getsockopt / sock_setsockopt in guest memory: the timeouts, which the guest side applies
// itself (a blocking call carries its own deadline), and every other option as one or two int32s
// the event loop keeps (options.ts).
import type { GuestChannel } from '../../channel/channel.ts';
import { Errno } from '../../errno.ts';
import type { GuestMemory } from '../../abi/guest-memory.ts';
import { Ops } from '../../channel/ops.ts';
import { IPPROTO_TCP, SockOpt, SOL_SOCKET, TCP_NODELAY } from '../constants.ts';
import type { GuestSocket } from './socket-table.ts';

const isTimeout = (level: number, name: number) => level === SOL_SOCKET && (name === SockOpt.RCVTIMEO || name === SockOpt.SNDTIMEO);

/** WasmEdge passes the value's length by pointer (u32 in/out). */
export function getSocketOption(mem: GuestMemory, ch: GuestChannel, s: GuestSocket, level: number, name: number, valPtr: number, lenPtr: number): number {
  const len = mem.u32(lenPtr);
  mem.check(valPtr, len, 'optval');
  const put = (values: number[]): number => {
    if (len < values.length * 4) return Errno.INVAL;
    values.forEach((v, i) => mem.setU32(valPtr + i * 4, v));
    mem.setU32(lenPtr, values.length * 4);
    return 0;
  };
  if (isTimeout(level, name)) {
    const ms = name === SockOpt.RCVTIMEO ? s.recvTimeoutMs : s.sendTimeoutMs;
    const us = ms < 0 ? 0 : Math.round(ms * 1000);
    // struct timeval with 64-bit fields (wasm32's time_t), or two int32s.
    if (len >= 16) {
      mem.setU64(valPtr, BigInt(Math.floor(us / 1e6)));
      mem.setU64(valPtr + 8, BigInt(us % 1e6));
      mem.setU32(lenPtr, 16);
      return 0;
    }
    return put([Math.floor(us / 1e6), us % 1e6]);
  }
  const [err, got] = ch.call(Ops.getOption, { fd: s.id, level, name });
  if (err) return err;
  return put(level === SOL_SOCKET && name === SockOpt.LINGER ? [got.value, got.value2] : [got.value]);
}

export function setSocketOption(mem: GuestMemory, ch: GuestChannel, s: GuestSocket, level: number, name: number, valPtr: number, length: number): number {
  const n = length >>> 0;
  mem.check(valPtr, n, 'optval');
  if (isTimeout(level, name)) {
    let sec: number;
    let usec: number;
    if (n >= 16) {
      sec = Number(BigInt.asIntN(64, mem.u64(valPtr)));
      usec = Number(BigInt.asIntN(64, mem.u64(valPtr + 8)));
    } else if (n >= 8) {
      sec = mem.u32(valPtr) | 0;
      usec = mem.u32(valPtr + 4) | 0;
    } else return Errno.INVAL;
    if (sec < 0 || usec < 0 || usec >= 1e6) return Errno.INVAL;
    const ms = sec * 1000 + usec / 1000;
    const v = ms === 0 ? -1 : Math.max(1, Math.min(Math.ceil(ms), 0x7fffffff));
    if (name === SockOpt.RCVTIMEO) s.recvTimeoutMs = v;
    else s.sendTimeoutMs = v;
    return 0;
  }
  if (n < 4) return Errno.INVAL;
  const request = { fd: s.id, level, name, value: mem.u32(valPtr) | 0, value2: n >= 8 ? mem.u32(valPtr + 4) | 0 : 0 };
  // TCP_NODELAY always succeeds on the event loop: posted.
  if (level === IPPROTO_TCP && name === TCP_NODELAY) {
    ch.post(Ops.setOption, request);
    return 0;
  }
  return ch.call(Ops.setOption, request)[0];
}
