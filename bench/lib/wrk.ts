// wrk (Debian's package), the HTTP load generator the asyncio server benches use.
import { execFileSync } from 'node:child_process';
import { execa } from 'execa';

/** wrk's path, or an error that says how to install it. */
export function requireWrk(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v wrk'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('wrk is not installed: apt-get install wrk (Debian package), then run again');
  }
}

export interface WrkResult {
  /** Requests/sec as wrk printed it (NaN when it printed none). */
  rps: number;
  socketErrors: number;
  non2xx: number;
  /** What wrk printed, for a message. */
  stdout: string;
}

/** Loads http://127.0.0.1:PORT/ with `connections` keep-alive connections for `seconds`. */
export async function runWrk(bin: string, port: number, connections: number, seconds: number): Promise<WrkResult> {
  const threads = Math.min(2, connections);
  const run = await execa(bin, ['-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--timeout', '10s', `http://127.0.0.1:${port}/`], { reject: false, all: true });
  if (run.exitCode !== 0) throw new Error(`wrk failed (exit ${run.exitCode}):\n${run.all}`);
  const out = run.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const socketErrors = se ? se.slice(1).reduce((a, b) => a + Number(b), 0) : 0;
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return { rps, socketErrors, non2xx, stdout: out };
}
