// WASI preview1 errno numbers (also wasi-libc's E* values, so the guest sees exactly these) and the
// mapping from Node's error codes. WasmEdge adds getaddrinfo codes 77..87 on top of preview1.

export const Errno = {
  SUCCESS: 0,
  ACCES: 2,
  ADDRINUSE: 3,
  ADDRNOTAVAIL: 4,
  AFNOSUPPORT: 5,
  AGAIN: 6,
  ALREADY: 7,
  BADF: 8,
  CONNABORTED: 13,
  CONNREFUSED: 14,
  CONNRESET: 15,
  EXIST: 20,
  FAULT: 21,
  HOSTUNREACH: 23,
  INPROGRESS: 26,
  INTR: 27,
  INVAL: 28,
  IO: 29,
  ISCONN: 30,
  MSGSIZE: 35,
  NAMETOOLONG: 37,
  NETDOWN: 38,
  NETRESET: 39,
  NETUNREACH: 40,
  NOBUFS: 42,
  NOENT: 44,
  NOMEM: 48,
  NOPROTOOPT: 50,
  NOSYS: 52,
  NOTCONN: 53,
  NOTDIR: 54,
  NOTSOCK: 57,
  NOTSUP: 58,
  PIPE: 64,
  PROTONOSUPPORT: 66,
  TIMEDOUT: 73,
  NOTCAPABLE: 76,
  // File-system errnos.
  BUSY: 10,
  DQUOT: 19,
  FBIG: 22,
  ILSEQ: 25,
  ISDIR: 31,
  LOOP: 32,
  MFILE: 33,
  MLINK: 34,
  NFILE: 41,
  NODEV: 43,
  NOSPC: 51,
  NOTEMPTY: 55,
  NOTTY: 59,
  NXIO: 60,
  OVERFLOW: 61,
  PERM: 63,
  ROFS: 69,
  SPIPE: 70,
  TXTBSY: 74,
  XDEV: 75,
  // WasmEdge's getaddrinfo results (EAI_*), not part of preview1.
  AIADDRFAMILY: 77,
  AIAGAIN: 78,
  AIBADFLAG: 79,
  AIFAIL: 80,
  AIFAMILY: 81,
  AIMEMORY: 82,
  AINODATA: 83,
  AINONAME: 84,
  AISERVICE: 85,
  AISOCKTYPE: 86,
  AISYSTEM: 87,
} as const;

/** The errno the network policy answers with when it refuses an address. */
export const POLICY_REFUSED = Errno.ACCES;

const byNodeCode: Record<string, number> = {
  EACCES: Errno.ACCES,
  EPERM: Errno.ACCES,
  EADDRINUSE: Errno.ADDRINUSE,
  EADDRNOTAVAIL: Errno.ADDRNOTAVAIL,
  EAFNOSUPPORT: Errno.AFNOSUPPORT,
  EAGAIN: Errno.AGAIN,
  EALREADY: Errno.ALREADY,
  EBADF: Errno.BADF,
  ECONNABORTED: Errno.CONNABORTED,
  ECONNREFUSED: Errno.CONNREFUSED,
  ECONNRESET: Errno.CONNRESET,
  EEXIST: Errno.EXIST,
  EHOSTUNREACH: Errno.HOSTUNREACH,
  EHOSTDOWN: Errno.HOSTUNREACH,
  EINPROGRESS: Errno.INPROGRESS,
  EINTR: Errno.INTR,
  EINVAL: Errno.INVAL,
  ERR_SOCKET_BAD_PORT: Errno.INVAL,
  ERR_INVALID_ARG_VALUE: Errno.INVAL,
  ERR_INVALID_ARG_TYPE: Errno.INVAL,
  ERR_INVALID_IP_ADDRESS: Errno.INVAL,
  EIO: Errno.IO,
  EISCONN: Errno.ISCONN,
  ERR_SOCKET_DGRAM_IS_CONNECTED: Errno.ISCONN,
  ERR_SOCKET_DGRAM_NOT_CONNECTED: Errno.NOTCONN,
  EMSGSIZE: Errno.MSGSIZE,
  ENAMETOOLONG: Errno.NAMETOOLONG,
  ENETDOWN: Errno.NETDOWN,
  ENETUNREACH: Errno.NETUNREACH,
  ENOBUFS: Errno.NOBUFS,
  ENOENT: Errno.NOENT,
  ENOMEM: Errno.NOMEM,
  ENOTCONN: Errno.NOTCONN,
  ENOTDIR: Errno.NOTDIR,
  ENOTSOCK: Errno.NOTSOCK,
  ENOTSUP: Errno.NOTSUP,
  EOPNOTSUPP: Errno.NOTSUP,
  EPIPE: Errno.PIPE,
  EPROTONOSUPPORT: Errno.PROTONOSUPPORT,
  ETIMEDOUT: Errno.TIMEDOUT,
  EPROTO: Errno.IO,
  ERR_STREAM_DESTROYED: Errno.PIPE,
  ERR_STREAM_WRITE_AFTER_END: Errno.PIPE,
  ERR_SOCKET_CLOSED: Errno.BADF,
  EBUSY: Errno.BUSY,
  EDQUOT: Errno.DQUOT,
  EFBIG: Errno.FBIG,
  EILSEQ: Errno.ILSEQ,
  EISDIR: Errno.ISDIR,
  ELOOP: Errno.LOOP,
  EMFILE: Errno.MFILE,
  EMLINK: Errno.MLINK,
  ENFILE: Errno.NFILE,
  ENODEV: Errno.NODEV,
  ENOSPC: Errno.NOSPC,
  ENOTEMPTY: Errno.NOTEMPTY,
  ENOTTY: Errno.NOTTY,
  ENXIO: Errno.NXIO,
  EOVERFLOW: Errno.OVERFLOW,
  EROFS: Errno.ROFS,
  ESPIPE: Errno.SPIPE,
  ETXTBSY: Errno.TXTBSY,
  EXDEV: Errno.XDEV,
};

/** As errnoFromNode, for file-system calls: EPERM stays EPERM (the socket calls report EACCES). */
export function fsErrnoFromNode(err: unknown): number {
  return (err as { code?: unknown } | null)?.code === 'EPERM' ? Errno.PERM : errnoFromNode(err);
}

/** Maps a Node error (or its `code`) to a WASI errno; unknown errors become EIO. */
export function errnoFromNode(err: unknown): number {
  const code = typeof err === 'string' ? err : (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code in byNodeCode) return byNodeCode[code]!;
  return Errno.IO;
}

/** Maps a `dns.lookup` failure to WasmEdge's EAI_* numbers. */
export function eaiFromNode(err: unknown): number {
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ENOTFOUND':
    case 'ENODATA':
    case 'EAI_NONAME':
      return Errno.AINONAME;
    case 'EAI_AGAIN':
    case 'ETIMEOUT':
    case 'ESERVFAIL':
    case 'ECONNREFUSED':
      return Errno.AIAGAIN;
    case 'EAI_FAMILY':
    case 'EBADFAMILY':
      return Errno.AIFAMILY;
    case 'ENOMEM':
      return Errno.AIMEMORY;
    default:
      return Errno.AIFAIL;
  }
}
