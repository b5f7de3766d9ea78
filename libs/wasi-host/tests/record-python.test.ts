// python.wasm recorded with verifyWrites (the whole guest memory compared around every call) while
// it makes every kind of host call (fixtures/record/calls.py): files, directories, links, clocks,
// random, poll, name lookup, TCP both ways, UDP. No call may write outside the spans its shape in
// src/record/call-shapes.ts names, and the replay, with the files and the server gone, prints the
// same and exits the same. An interrupt (Ctrl-C) the guest took is delivered at the same place
// on replay.
import { mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { BUILD_TIMEOUT_MS, buildCpython, releaseWasm } from '../../cpython/tests/harness.ts';
import { Interrupter } from '../src/interrupts.ts';
import { runWasi } from '../src/run-wasi.ts';
import { replayWasi } from '../src/record/replay.ts';

const stdlibDir = path.join(path.dirname(releaseWasm), 'usr', 'local', 'lib');
let dir = '';

beforeAll(() => buildCpython(), BUILD_TIMEOUT_MS);
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pywasi-record-py-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('every host call python.wasm makes is recorded whole, and replays', async () => {
  const echo = net.createServer((c) => c.on('data', (d) => c.write(d)));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const port = (echo.address() as net.AddressInfo).port;
  const work = mkdtempSync(path.join(dir, 'work-'));
  const log = path.join(dir, 'calls.log');
  let out = '';
  let err = '';
  const code = await runWasi({
    module: releaseWasm,
    args: ['python', '/fixtures/calls.py', '/work', String(port)],
    env: { PYTHONHOME: '/usr/local', PYTHONDONTWRITEBYTECODE: '1' },
    dirs: [
      { guest: '/usr/local/lib', host: stdlibDir, readOnly: true },
      { guest: '/fixtures', host: path.join(import.meta.dirname, 'fixtures', 'record'), readOnly: true },
      { guest: '/work', host: work },
    ],
    net: 'loopback',
    stdout: (b) => (out += Buffer.from(b)),
    stderr: (b) => (err += Buffer.from(b)),
    record: { file: log, verifyWrites: true },
  });
  await new Promise((resolve) => echo.close(resolve));
  rmSync(work, { recursive: true });
  expect(err).toBe('');
  expect(out).toMatch(
    /^files \['b\.txt', 'link'\] a\.txt 600\ntail b'alpha\\n' 600\nrandom 0\.\d+ [0-9a-f]{8} True True\nlookup \['127\.0\.0\.1'\]\necho b'ping over tcp' True True\naccepted 127\.0\.0\.1 1 b'to the server'\neof b''\nudp b'datagram' 127\.0\.0\.1\n$/,
  );
  expect(code).toBe(4);

  let replayed = '';
  expect(await replayWasi({ log, module: releaseWasm, stdout: (b) => (replayed += Buffer.from(b)), stderr: (b) => (err += Buffer.from(b)) })).toBe(4);
  expect(replayed).toBe(out);
  expect(err).toBe('');
}, 300_000);

// Counts its loop until the first interrupt, then sleeps until the second: the replay, given no
// interrupt, must raise both KeyboardInterrupts where the run took them (the same count).
const INTERRUPTED = `import time
print('waiting', flush=True)
n = 0
try:
    while True:
        n += 1
except KeyboardInterrupt:
    print('loop interrupted after', n)
print('waiting', flush=True)
try:
    time.sleep(60)
except KeyboardInterrupt:
    print('sleep interrupted')
`;

test('an interrupt the guest took is delivered at the same place on replay: the same KeyboardInterrupts after the same work', async () => {
  const log = path.join(dir, 'interrupted.log');
  const interrupter = new Interrupter();
  const answers: string[] = [];
  let out = '';
  let waits = 0;
  const code = await runWasi({
    module: releaseWasm,
    args: ['python', '-c', INTERRUPTED],
    env: { PYTHONHOME: '/usr/local', PYTHONDONTWRITEBYTECODE: '1' },
    dirs: [{ guest: '/usr/local/lib', host: stdlibDir, readOnly: true }],
    stdout: (b) => {
      out += Buffer.from(b);
      // Once the guest says it waits, after it has had time to get there.
      for (; waits < out.split('waiting\n').length - 1; waits++) setTimeout(() => answers.push(interrupter.interrupt()), 300);
    },
    stderr: (b) => (out += Buffer.from(b)),
    interrupter,
    record: { file: log },
  });
  expect(answers).toEqual(['delivered', 'delivered']);
  expect(out).toMatch(/^waiting\nloop interrupted after [1-9]\d*\nwaiting\nsleep interrupted\n$/);
  expect(code).toBe(0);

  let replayed = '';
  expect(await replayWasi({ log, module: releaseWasm, stdout: (b) => (replayed += Buffer.from(b)), stderr: (b) => (replayed += Buffer.from(b)) })).toBe(0);
  expect(replayed).toBe(out);
}, 300_000);
