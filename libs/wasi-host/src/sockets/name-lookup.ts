// sock_getaddrinfo's answer, apart from the channel: the hints checked as getaddrinfo(3) checks
// them, services by number or by the few well-known names, numeric hosts without a lookup, other
// names through the host's resolver (dns.lookup), and every address filtered by the network
// policy. Resolves to the reply, or to the errno (an EAI_* value or POLICY_REFUSED) the guest gets.
import * as dns from 'node:dns';
import * as net from 'node:net';
import { AddressFamily, SockType } from '../abi/addr.ts';
import { AiFlags, Protocol, type AddrinfoResult } from '../abi/addrinfo.ts';
import { Errno, POLICY_REFUSED, eaiFromNode } from '../errno.ts';
import type { NetAccess } from './net-policy.ts';
import type { GetaddrinfoReply, GetaddrinfoRequest } from '../channel/ops.ts';

/** The services a guest may name instead of a port (the guest has no /etc/services). */
const KNOWN_SERVICES: Record<string, number> = {
  echo: 7, ftp: 21, ssh: 22, telnet: 23, smtp: 25, domain: 53, http: 80, pop3: 110, ntp: 123,
  imap: 143, https: 443, imaps: 993, pop3s: 995,
};

type Found = { address: string; family: 4 | 6 }[];

/** The port a service names, or the EAI errno. */
function servicePort(service: string | null, flags: number): number | { errno: number } {
  if (service === null || service === '') return 0;
  if (/^\d+$/.test(service)) {
    const port = Number(service);
    return port > 65535 ? { errno: Errno.AISERVICE } : port;
  }
  if (flags & AiFlags.NUMERICSERV) return { errno: Errno.AINONAME };
  return KNOWN_SERVICES[service.toLowerCase()] ?? { errno: Errno.AISERVICE };
}

function lookup(node: string, family: 0 | 4 | 6): Promise<Found | number> {
  return new Promise((resolve) => {
    dns.lookup(node, { all: true, family }, (err, addrs) => {
      if (err) resolve(eaiFromNode(err));
      else resolve(addrs.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
    });
  });
}

export async function resolveAddrinfo(req: GetaddrinfoRequest, access: NetAccess): Promise<GetaddrinfoReply | number> {
  const h = req.hints;
  if (!access.allowsLookup(req.node || null)) return POLICY_REFUSED;
  if (h.flags & ~0x7f) return Errno.AIBADFLAG;
  if (h.family !== AddressFamily.UNSPEC && h.family !== AddressFamily.INET4 && h.family !== AddressFamily.INET6) return Errno.AIFAMILY;
  if (h.socktype !== 0 && h.socktype !== SockType.DGRAM && h.socktype !== SockType.STREAM) return Errno.AISOCKTYPE;
  if (req.node === null && req.service === null) return Errno.AINONAME;
  const port = servicePort(req.service, h.flags);
  if (typeof port !== 'number') return port.errno;
  const wantFamily = h.family === AddressFamily.INET4 ? 4 : h.family === AddressFamily.INET6 ? 6 : 0;
  const passive = (h.flags & AiFlags.PASSIVE) !== 0;

  let found: Found;
  let canon: string | null = null;
  if (req.node === null || req.node === '') {
    // No host: the wildcard (to bind) or loopback (to connect), in each family asked for.
    found = [];
    if (wantFamily !== 6) found.push({ address: passive ? '0.0.0.0' : '127.0.0.1', family: 4 });
    if (wantFamily !== 4) found.push({ address: passive ? '::' : '::1', family: 6 });
  } else {
    const numeric = net.isIP(req.node);
    if (numeric) {
      if (wantFamily && numeric !== wantFamily) return Errno.AIADDRFAMILY;
      found = [{ address: req.node, family: numeric as 4 | 6 }];
    } else {
      if (h.flags & AiFlags.NUMERICHOST) return Errno.AINONAME;
      const looked = await lookup(req.node, wantFamily);
      if (typeof looked === 'number') return looked;
      found = looked;
      access.learn(req.node, found.map((a) => a.address));
    }
    canon = req.node;
  }

  const allowed = found.filter((a) => access.allowsAddress(a.address) || (passive && req.node === null));
  if (found.length && !allowed.length) return POLICY_REFUSED;
  const socktypes = h.socktype === 0 ? [SockType.STREAM, SockType.DGRAM] : [h.socktype];
  const results: AddrinfoResult[] = [];
  for (const a of allowed) {
    for (const st of socktypes) {
      results.push({ family: a.family, address: a.address, port, socktype: st, protocol: st === SockType.STREAM ? Protocol.TCP : Protocol.UDP });
    }
  }
  if (!results.length) return Errno.AINONAME;
  return { results, canon: h.flags & AiFlags.CANONNAME ? canon : null };
}
