// The cold build of python.wasm's graph as a new contributor meets it: `nx build cpython` in a
// fresh clone of this checkout's HEAD with an empty Nx cache and no build directories, the
// download cache warm (tarballs are not what we time). Nx's own profile (NX_PROFILE) gives each
// task's time; the total is held to the performance issue's goal (30% under 11.5 min).
//
//   npx tsx bench/cold-build.ts          (npm run bench:cold; ~10 min on 2 cores)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { printTable, type Row } from './lib/report.ts';
import { workspaceRoot } from './lib/pythons.ts';

const BEFORE_SECONDS = 11.5 * 60; // `nx build cpython` cold, 2026-12-01, before the build python came from the machine
const GOAL_SECONDS = BEFORE_SECONDS * 0.7;

interface TraceEvent {
  name: string;
  ph: string;
  ts: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

/** Seconds per Nx task from the profile: complete events ("X") named project:target. */
function taskSeconds(events: TraceEvent[]): Map<string, number> {
  const tasks = new Map<string, number>();
  for (const e of events) {
    if (e.ph === 'X' && e.dur !== undefined && /^[\w.-]+:[\w-]+(:[\w-]+)?$/.test(e.name)) tasks.set(e.name, (tasks.get(e.name) ?? 0) + e.dur / 1e6);
  }
  return tasks;
}

export async function coldBuildRows(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'pywasi-cold-'));
  try {
    const clone = join(dir, 'repo');
    await execa('git', ['clone', '--quiet', '--shared', workspaceRoot, clone]);
    // The same installed packages without a second `npm ci`: hard links, instant.
    await execa('cp', ['-al', join(workspaceRoot, 'node_modules'), join(clone, 'node_modules')]);
    const profile = join(clone, 'nx-profile.json'); // Nx joins NX_PROFILE to its cwd
    console.log(`cold build in ${clone} (empty Nx cache; downloads from the shared cache)...`);
    const started = Date.now();
    const r = await execa('npx', ['nx', 'build', 'cpython', '--output-style=stream'], {
      cwd: clone,
      env: { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_CACHE_DIRECTORY: join(dir, 'nx-cache'), NX_PROFILE: 'nx-profile.json', FORCE_COLOR: '0' },
      all: true,
      reject: false,
    });
    const total = (Date.now() - started) / 1000;
    if (r.failed) throw new Error(`the cold build failed:\n${(r.all ?? '').split('\n').slice(-30).join('\n')}`);
    const tasks = [...taskSeconds(JSON.parse(readFileSync(profile, 'utf8'))).entries()].sort((a, b) => b[1] - a[1]);
    const summed = tasks.reduce((sum, [, s]) => sum + s, 0); // two tasks at a time: more than the wall time
    const rows: Row[] = tasks.map(([task, seconds]) => ({ name: `${task} (${((seconds / summed) * 100).toFixed(0)}% of all task time)`, wasm: seconds, unit: 's' }));
    rows.push({ name: `nx build cpython, cold, wall (before: ${BEFORE_SECONDS} s)`, wasm: total, native: BEFORE_SECONDS, unit: 's', goal: GOAL_SECONDS, goalOn: 'value' });
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable(`Cold build, this machine (${new Date().toISOString().slice(0, 10)}); "native" is the time before`, await coldBuildRows());
}
