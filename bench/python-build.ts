// Build-side figures of python.wasm: artifact sizes, a no-op `nx build python`, and the relink
// after a change to libs/wasmedge-sock (which must not re-run CPython's configure or compile).
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runNx, type NxRun } from '../tools/testing/nx.ts';
import { printTable, type Row, type TableOptions } from './lib/report.ts';
import { pythonResumableWasm, pythonWasm, pythonZip, workspaceRoot } from './lib/pythons.ts';

const MiB = 1024 * 1024;

export const BUILD_TABLE: TableOptions = { bench: 'python-build', columns: { value: 'this build' } };

const nxBuildPython = () => runNx(['build', 'python']);

/** Median of 5 runs of `nx build <project>` with everything built: no-op builds, without the daemon
 * (as CI runs it). Their console output must stay short: a cache hit replays only the summary
 * lines the executors print, never a configure log. */
async function noopBuild(project: string): Promise<NxRun> {
  const runs: NxRun[] = [];
  for (let i = 0; i < 5; i++) runs.push(await runNx(['build', project]));
  const median = [...runs].sort((a, b) => a.seconds - b.seconds)[2]!;
  console.log(`no-op nx build ${project}: ${runs.map((r) => r.seconds.toFixed(2)).join(', ')} s; ${median.output.split('\n').length} lines of output; ran: ${tasksRun(median.output).join(', ') || 'nothing'}`);
  return median;
}

/** Lines of Nx output saying a task ran for real (not replayed from the cache). */
function tasksRun(output: string): string[] {
  return output
    .split('\n')
    .map((l) => /^> nx run (\S+)$/.exec(l.trim())?.[1])
    .filter((task): task is string => task !== undefined);
}

export async function buildRows(): Promise<Row[]> {
  await nxBuildPython(); // make sure everything is built and cached
  const noopCpython = await noopBuild('cpython');
  const noop = await noopBuild('python');

  const touched = join(workspaceRoot, 'libs/wasmedge-sock/src/hostname.c');
  const original = readFileSync(touched, 'utf8');
  let relink: NxRun;
  try {
    // A real code change (a comment would leave the archive, and so the link, unchanged).
    const stamp = Date.now();
    writeFileSync(touched, `${original}\n/* bench/python-build.ts relink check */\nint pywasi_relink_check_${stamp}(void) { return ${stamp % 1000}; }\n`);
    relink = await nxBuildPython();
  } finally {
    writeFileSync(touched, original);
  }
  const ran = tasksRun(relink.output);
  console.log(`relink after editing ${touched}: tasks that ran: ${ran.join(', ') || 'none'}`);
  if (ran.some((t) => /cpython:configure|cpython-build-python:/.test(t))) {
    console.log('  WARNING: the edit re-ran CPython configure or the build python');
  }
  await nxBuildPython(); // back to the committed state (a cache hit)

  return [
    { name: 'python.wasm', wasm: statSync(pythonWasm).size / MiB, unit: 'MiB', goal: 9, goalOn: 'value' }, // issue 9's budget, with ssl and sqlite
    { name: 'python-resumable.wasm (no goal)', wasm: statSync(pythonResumableWasm).size / MiB, unit: 'MiB' },
    // The whole 3.11 standard library less what cannot run on WASI (libs/stdlib-zip); the goal keeps
    // it from growing unnoticed.
    { name: 'python311.zip (the full standard library)', wasm: statSync(pythonZip).size / MiB, unit: 'MiB', goal: 4.5, goalOn: 'value' },
    { name: 'no-op nx build cpython (median of 5)', wasm: noopCpython.seconds, unit: 's', goal: 3, goalOn: 'value' },
    { name: 'no-op nx build python (median of 5)', wasm: noop.seconds, unit: 's', goal: 3, goalOn: 'value' },
    { name: 'relink after a wasmedge-sock edit', wasm: relink.seconds, unit: 's', goal: 90, goalOn: 'value' },
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  printTable('Build', await buildRows(), BUILD_TABLE);
}
