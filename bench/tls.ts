// TLS in python.wasm against native python3.11, the same client script (bench/python/tls/
// tls_client.py, timed inside the interpreter) against the same Node TLS server, in one run:
//   - bulk download of 64 MiB: the guest >= 0.4x native with native's assembly disabled
//     (OPENSSL_ia32cap=0: both run portable C); absolute MiB/s with and without it;
//   - the guest's cipher preference: each suite the server can force, measured, so the default
//     (ChaCha20-Poly1305 first, libs/openssl/patches) is what measures fastest without AES-NI;
//   - a full handshake (P-256 certificate, no session reuse) with the same key exchange on both
//     sides (X25519: native 3.11's OpenSSL 3.0 has no ML-KEM): the guest <= 3x native; and the
//     guest's default handshake (the X25519MLKEM768 hybrid, which the server picks) beside it.
// Each figure is the best of N runs, guest and native taking turns.
//
//   npx tsx bench/tls.ts [--quick] [--runs N] [--save]        (npm run bench:tls)
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { execa } from 'execa';
import { makeTestPki } from '../tools/testing/test-pki.ts';
import { nativePython, pywasiPython, requirePythonWasm, workspaceRoot } from './lib/pythons.ts';
import { printTable, type Row } from './lib/report.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const runsAt = argv.indexOf('--runs');
const RUNS = runsAt >= 0 ? Number(argv[runsAt + 1]) : quick ? 1 : 3;
const MIB = quick ? 16 : 64;
const HANDSHAKES = quick ? 10 : 30;
const script = join(workspaceRoot, 'bench/python/tls/tls_client.py');

requirePythonWasm();
const native = await nativePython();
const pki = await makeTestPki();

/** A TLS server: `download` writes MIB MiB and ends; `handshake` ends at once. `suites` forces
 * the TLS 1.3 suite (the server's choice); without it the client's preference wins. */
async function server(mode: 'download' | 'handshake', suite?: string, groups?: string): Promise<{ port: number; close: () => void }> {
  const chunk = Buffer.alloc(1 << 20, 0x61);
  // Without a forced suite the server follows the client's preference (Node's default is its own).
  const s = tls.createServer({ key: pki.server.key, cert: pki.server.cert, honorCipherOrder: Boolean(suite), ...(suite ? { ciphers: suite } : {}), ...(groups ? { ecdhCurve: groups } : {}) }, async (socket) => {
    socket.on('error', () => undefined);
    if (mode === 'handshake') return void socket.end();
    for (let i = 0; i < MIB; i++) if (!socket.write(chunk)) await once(socket, 'drain');
    socket.end();
  });
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  return { port: (s.address() as AddressInfo).port, close: () => s.close() };
}

type Who = 'wasm' | 'native' | 'native-noasm';

async function client(who: Who, args: string[]): Promise<Record<string, number | string>> {
  const [cmd, cmdArgs] =
    who === 'wasm'
      ? pywasiPython(['--dir', `${pki.dir}:/pki:ro`, script, ...args.map((a) => a.replace(pki.dir, '/pki'))])
      : [native.command, [script, ...args]];
  const env = who === 'native-noasm' ? { OPENSSL_ia32cap: '0' } : {};
  const run = await execa(cmd, cmdArgs, { env, reject: false, all: true });
  if (run.exitCode !== 0) throw new Error(`${who} ${args.join(' ')}: exit ${run.exitCode}\n${run.all}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as Record<string, number | string>;
}

/** Best of RUNS for each client, in turns. */
async function best(clients: Who[], args: string[], better: (a: number, b: number) => boolean, key: string) {
  const out = new Map<Who, { value: number; cipher: string }>();
  for (let round = 0; round < RUNS; round++) {
    for (const who of round % 2 ? [...clients].reverse() : clients) {
      const r = await client(who, args);
      const value = key === 'mib_s' ? (Number(r['bytes']) / (1 << 20)) / Number(r['seconds']) : Number(r[key]);
      if (key === 'mib_s' && Number(r['bytes']) !== MIB << 20) throw new Error(`${who} read ${r['bytes']} bytes, not ${MIB} MiB`);
      const previous = out.get(who);
      if (!previous || better(value, previous.value)) out.set(who, { value, cipher: String(r['cipher']) });
    }
  }
  return out;
}

const SUITES = ['TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_AES_128_GCM_SHA256'];
const rows: Row[] = [];
const details: string[] = [];
try {
  const faster = (a: number, b: number) => a > b;
  // The default: each client's own preference.
  const plain = await server('download');
  const byDefault = await best(['wasm', 'native-noasm', 'native'], ['download', String(plain.port), pki.ca.certFile], faster, 'mib_s');
  plain.close();
  const wasm = byDefault.get('wasm')!;
  const noasm = byDefault.get('native-noasm')!;
  const asm = byDefault.get('native')!;
  rows.push({ name: `download ${MIB} MiB, each side's default (vs native without asm)`, wasm: wasm.value, native: noasm.value, unit: 'MiB/s', goal: 0.4, goalOn: 'ratio', sense: 'min' });
  rows.push({ name: `download ${MIB} MiB, vs native with asm`, wasm: wasm.value, native: asm.value, unit: 'MiB/s' });
  details.push(`default ciphers: wasm ${wasm.cipher}; native ${noasm.cipher} (OPENSSL_ia32cap=0 and with asm)`);
  // Each suite forced by the server: what the guest's preference is based on.
  const perSuite: [string, number][] = [];
  for (const suite of SUITES) {
    const forced = await server('download', suite);
    const r = await best(['wasm', 'native-noasm'], ['download', String(forced.port), pki.ca.certFile], faster, 'mib_s');
    forced.close();
    perSuite.push([suite, r.get('wasm')!.value]);
    rows.push({ name: `download ${MIB} MiB, ${suite} (vs native without asm)`, wasm: r.get('wasm')!.value, native: r.get('native-noasm')!.value, unit: 'MiB/s' });
  }
  const fastest = perSuite.reduce((a, b) => (b[1] > a[1] ? b : a))[0];
  details.push(`fastest suite in the guest: ${fastest}; the guest's default is ${wasm.cipher}: ${fastest === wasm.cipher ? 'PASS' : 'MISS'}`);
  // Handshakes: the same key exchange on both sides (the server offers X25519 alone; the guest's
  // client sends an X25519 share beside its hybrid one, so no retry), then each side's default.
  const lower = (a: number, b: number) => a < b;
  const handshakes = async (groups?: string) => {
    const hs = await server('handshake', undefined, groups);
    const hsArgs = ['handshakes', String(hs.port), pki.ca.certFile, String(HANDSHAKES)];
    const h = await best(['wasm', 'native'], hsArgs, lower, 'median_ms');
    const c = await best(['wasm', 'native'], hsArgs, lower, 'connect_ms');
    hs.close();
    return { h, c };
  };
  const same = await handshakes('X25519');
  const byDefaultHs = await handshakes();
  rows.push({ name: `full handshake (wrap_socket), X25519 both sides, median of ${HANDSHAKES}`, wasm: same.h.get('wasm')!.value, native: same.h.get('native')!.value, unit: 'ms', goal: 3, goalOn: 'ratio', sense: 'max' });
  rows.push({ name: `full handshake, each side's default (wasm: X25519MLKEM768)`, wasm: byDefaultHs.h.get('wasm')!.value, native: byDefaultHs.h.get('native')!.value, unit: 'ms' });
  rows.push({ name: `TCP connect before it, median of ${HANDSHAKES}`, wasm: same.c.get('wasm')!.value, native: same.c.get('native')!.value, unit: 'ms' });
} finally {
  pki.remove();
}

console.log(`native: CPython ${native.version} (${native.command}); wasm: pywasi python; best of ${RUNS}; Node ${process.version}`);
printTable('TLS (client in the interpreter, Node TLS server on 127.0.0.1)', rows, { bench: 'tls' });
for (const line of details) console.log(`  ${line}`);
