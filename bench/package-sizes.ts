// What a user downloads: the size of every tarball `npm run pack` writes to dist/packages/, held
// to the packaging issue's goal (@pywasi/python, the interpreter with its batteries, ≤ 10 MiB),
// beside the peer a Node user would pick instead (npm `pyodide`, as `npm pack` reports it).
//
//   npx tsx bench/package-sizes.ts [--save]       (npm run bench:packages)
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { runNx, workspaceRoot } from '../tools/testing/nx.ts';
import { round, saveRun, type ResultRow } from './lib/results.ts';

const MiB = 1024 * 1024;
const GOAL_MIB: Record<string, number> = { '@pywasi/python': 10 };

interface PackReport {
  id: string;
  name: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
}

/** npm's own account of a package: a directory, or a spec it fetches from the registry. */
async function packReport(spec: string, cwd: string): Promise<PackReport> {
  const r = await execa('npm', ['pack', spec, '--dry-run', '--json', '--ignore-scripts'], { cwd, reject: false, timeout: 120_000 });
  if (r.exitCode !== 0) throw new Error(`npm pack ${spec} failed: ${r.stderr.split('\n')[0]}`);
  return (JSON.parse(r.stdout) as PackReport[])[0]!;
}

await runNx(['run-many', '-t', 'pack']);
const dir = path.join(workspaceRoot, 'dist', 'packages');
const rows: string[][] = [['package', 'tarball', 'unpacked', 'files', 'goal']];
const saved: ResultRow[] = [];
const row = (report: PackReport, tarballBytes: number, goal?: number) => {
  const mib = tarballBytes / MiB;
  const verdict = goal === undefined ? undefined : mib <= goal ? ('PASS' as const) : ('MISS' as const);
  saved.push({
    name: report.id,
    value: round(mib),
    unit: 'MiB',
    also: { unpacked: round(report.unpackedSize / MiB), files: report.entryCount },
    ...(verdict ? { goal: `≤ ${goal} MiB`, verdict } : {}),
  });
  return [report.id, `${mib.toFixed(2)} MiB`, `${(report.unpackedSize / MiB).toFixed(2)} MiB`, String(report.entryCount), verdict ? `${verdict} (tarball ≤ ${goal} MiB)` : ''];
};
for (const file of readdirSync(dir).filter((f) => f.endsWith('.tgz')).sort()) {
  const report = await packReport(`./${file.replace(/-\d[^-]*\.tgz$/, '')}`, dir);
  rows.push(row(report, statSync(path.join(dir, file)).size, GOAL_MIB[report.name]));
}
try {
  const peer = await packReport('pyodide', dir);
  rows.push(row({ ...peer, id: `peer: ${peer.id}` }, peer.size));
} catch (error) {
  console.log(`peer: ${(error as Error).message} (no registry?)`);
}

const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
console.log(`\nnpm packages (${new Date().toISOString().slice(0, 10)}, this machine)`);
for (const [i, r] of rows.entries()) {
  console.log('  ' + r.map((cell, c) => (c === 0 || c === 4 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  '));
  if (i === 0) console.log('  ' + widths.map((w) => '-'.repeat(w)).join('  '));
}
saveRun({ bench: 'packages', title: 'npm packages: tarball sizes (npm pack)', columns: { value: 'tarball' }, rows: saved });
