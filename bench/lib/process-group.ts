// Resources of a server's whole process group, from /proc (Linux): the HTTP benches start each
// server detached, so its group holds pywasi and the Node 24 it hands over to.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Each live process of the group: the fields of its /proc stat after the name (from `state`). */
function groupStats(leader: number): Array<{ pid: string; fields: string[] }> {
  const out: Array<{ pid: string; fields: string[] }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === leader) out.push({ pid: entry, fields });
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/** Resident memory of the group, in KiB. */
export function groupRssKiB(leader: number): number {
  let total = 0;
  for (const { pid } of groupStats(leader)) {
    try {
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += rss ? Number(rss[1]) : 0;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

let ticksPerSecond = 0;

/** CPU time the group's live processes have used (user + system, all their threads), in seconds. */
export function groupCpuSeconds(leader: number): number {
  ticksPerSecond ||= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  // utime and stime are stat's fields 14 and 15.
  return groupStats(leader).reduce((s, { fields }) => s + Number(fields[11]) + Number(fields[12]), 0) / ticksPerSecond;
}
