// Runs a program to its end, collecting its output as text, for tests whose guest talks to a peer
// the test starts: `onStdout` sees the output so far as it grows (a server prints its port, then
// serves), and a run past `timeoutMs` is killed and says so in stderr.
import { spawn } from 'node:child_process';

export interface CollectedRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCollecting(argv: string[], opts: { cwd: string; onStdout?: (text: string) => void; timeoutMs?: number }): Promise<CollectedRun> {
  const [command, ...args] = argv;
  const child = spawn(command!, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    opts.onStdout?.(stdout);
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timeoutMs = opts.timeoutMs ?? 60_000;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      stderr += `\n[test] killed after ${timeoutMs} ms`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
