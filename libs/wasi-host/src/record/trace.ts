// A run log as a trace: one line per call, strace-style, or one JSON object per line for tools.
//
//   12  0.001234 path_open(3, "data.txt", oflags 0x0, fdflags 0x0) = 0 → fd 4 <0.000031>
import { decodeRecord } from './describe.ts';
import { parseLog, type ParsedLog } from './format.ts';
import { traceHttp } from './http-trace.ts';

export interface TraceOptions {
  format?: 'text' | 'json';
  /** 'network': the socket calls, and reads, writes and closes of sockets only; 'http': the
   * HTTP/1.x exchanges rebuilt from the sockets' bytes (text only). */
  filter?: 'all' | 'network' | 'http';
  /** Start times and durations (false: left out, for output compared as text). Default true. */
  times?: boolean;
}

const seconds = (us: number) => (us / 1e6).toFixed(6);

/** The trace of a log (its bytes), as lines. A log cut off ends with a line saying so. */
export function traceLog(data: Uint8Array, name: string, options: TraceOptions = {}): string[] {
  return traceParsed(parseLog(data, name), options);
}

export function traceParsed(log: ParsedLog, options: TraceOptions = {}): string[] {
  const json = options.format === 'json';
  const times = options.times !== false;
  const sockets = new Set<number>();
  const lines: string[] = [];
  const { header } = log;
  if (json) lines.push(JSON.stringify({ type: 'run', module: header.module, args: header.args, env: Object.keys(header.env), created: header.created, ...(header.snapshot ? { snapshot: header.snapshot } : {}) }));
  else lines.push(`# ${header.args.map((a) => JSON.stringify(a)).join(' ')}  (module ${header.module.name}, sha256 ${header.module.sha256.slice(0, 12)}…, recorded ${header.created}${header.snapshot ? `, from snapshot ${header.snapshot.path}` : ''})`);
  if (options.filter === 'http') return [...lines, ...traceHttp(log)];
  for (const r of log.records) {
    const name = header.imports[r.fn]!;
    const fd = typeof r.args[0] === 'number' ? r.args[0] >>> 0 : -1;
    const d = decodeRecord(name, r);
    if ((name === 'sock_open' || name === 'sock_accept') && d.out?.startsWith('fd ')) sockets.add(Number(d.out.slice(3)));
    const network = name.startsWith('sock_') || (sockets.has(fd) && (name === 'fd_read' || name === 'fd_write' || name === 'fd_close' || name === 'poll_oneoff'));
    if (name === 'fd_close' && d.result === '0') sockets.delete(fd);
    if (options.filter === 'network' && !network) continue;
    if (json) {
      lines.push(JSON.stringify({ seq: r.seq, ...(times ? { startUs: r.startUs, durationUs: r.durationUs } : {}), call: name, rawArgs: r.args.map((a) => (typeof a === 'bigint' ? a.toString() : a)), args: d.args, result: d.result, ...(d.errno ? { errno: d.errno } : {}), ...(d.out !== undefined ? { out: d.out } : {}) }));
    } else {
      const when = times ? ` ${seconds(r.startUs).padStart(10)}` : '';
      const took = times ? ` <${seconds(r.durationUs)}>` : '';
      lines.push(`${String(r.seq).padStart(6)}${when} ${name}(${d.args}) = ${d.result}${d.errno ? ` ${d.errno}` : ''}${d.out !== undefined ? ` → ${d.out}` : ''}${took}`);
    }
  }
  const end = log.end;
  const tail = log.cutOff
    ? { type: 'cut-off', reason: log.cutOff }
    : end?.outcome === 'exit'
      ? { type: 'exit', code: end.code }
      : end?.outcome === 'capped'
        ? { type: 'capped', maxBytes: end.maxBytes }
        : { type: 'error', message: end?.outcome === 'error' ? end.message : '' };
  if (json) lines.push(JSON.stringify(tail));
  else if (tail.type === 'exit') lines.push(`+++ exited with ${end?.outcome === 'exit' ? end.code : ''} +++`);
  else if (tail.type === 'cut-off') lines.push(`+++ ${log.cutOff} +++`);
  else if (tail.type === 'capped') lines.push(`+++ recording stopped at its size cap +++`);
  else lines.push(`+++ the run failed: ${end?.outcome === 'error' ? end.message : ''} +++`);
  return lines;
}
