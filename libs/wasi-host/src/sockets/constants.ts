// Numbers of the WasmEdge socket ABI the guest passes to the sock_* calls.

/** riflags */
export const RecvFlags = { PEEK: 1, WAITALL: 2 } as const;
/** roflags */
export const RecvOutFlags = { TRUNCATED: 1 } as const;

/** WasmEdge's SOL_SOCKET is 0; wasi-go adds level 6 (TCP) with TCP_NODELAY = 15. */
export const SOL_SOCKET = 0;
export const IPPROTO_TCP = 6;
export const TCP_NODELAY = 15;
/** IPPROTO_IPV6 / IPV6_V6ONLY, as Linux numbers them (the socket library passes them through). */
export const IPPROTO_IPV6 = 41;
export const IPV6_V6ONLY = 26;
export const SockOpt = {
  REUSEADDR: 0, TYPE: 1, ERROR: 2, DONTROUTE: 3, BROADCAST: 4, SNDBUF: 5, RCVBUF: 6, KEEPALIVE: 7,
  OOBINLINE: 8, LINGER: 9, RCVLOWAT: 10, RCVTIMEO: 11, SNDTIMEO: 12, ACCEPTCONN: 13, BINDTODEVICE: 14,
} as const;
