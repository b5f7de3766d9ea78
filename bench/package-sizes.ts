// What a user downloads: the size of every tarball `npm run pack` writes to dist/packages/, held
// to the packaging issue's goal (@pywasi/python, the interpreter with its batteries, ≤ 10 MiB),
// beside the peer a Node user would pick instead (npm `pyodide`, as `npm pack` reports it).
//
//   npx tsx bench/package-sizes.ts        (npm run bench:packages)
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { execa } from 'execa';
import { runNx, workspaceRoot } from '../tools/testing/nx.ts';
import { printTable, type Row } from './lib/report.ts';

const MiB = 1024 * 1024;
const GOALS: Record<string, number> = { 'pywasi-python': 10 };

await runNx(['run-many', '-t', 'pack']);
const dir = path.join(workspaceRoot, 'dist', 'packages');
const rows: Row[] = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.tgz')).sort()) {
  const name = file.replace(/-\d[^-]*\.tgz$/, '');
  const goal = GOALS[name];
  rows.push({ name: `${file} (tarball)`, wasm: statSync(path.join(dir, file)).size / MiB, unit: 'MiB', ...(goal !== undefined ? { goal } : {}) });
}

// The peer, packed by npm from the registry (npm's cache keeps it after the first run).
const peer = await execa('npm', ['pack', 'pyodide', '--dry-run', '--json'], { cwd: dir, reject: false, timeout: 120_000 });
if (peer.exitCode === 0) {
  const [report] = JSON.parse(peer.stdout) as { id: string; size: number; unpackedSize: number }[];
  rows.push({ name: `peer: ${report!.id} (tarball; unpacked ${(report!.unpackedSize / MiB).toFixed(1)} MiB)`, wasm: report!.size / MiB, unit: 'MiB' });
} else {
  console.log(`peer: npm pack pyodide failed (no registry?): ${peer.stderr.split('\n')[0]}`);
}
printTable(`npm package sizes (${new Date().toISOString().slice(0, 10)})`, rows);
