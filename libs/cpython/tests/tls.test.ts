// TLS in python.wasm (libs/openssl under `_ssl`), against native peers started here with a test CA
// made here: HTTPS clients of every stdlib kind and requests, certificate failures, TLS 1.3, SNI,
// ALPN, blocking/non-blocking/timeout modes, TLS servers in the guest, and where the guest's
// default trust comes from (--ca-file > the guest's SSL_CERT_FILE > the host's bundle).
import { mkdtempSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { debianPythonPackages } from '../../../tools/testing/debian-python.ts';
import { makeTestPki, type TestPki } from '../../../tools/testing/test-pki.ts';
import { BUILD_TIMEOUT_MS, buildCpython, describeRun, lastJson, py, pywasiPython, startPywasi, stopGroup } from './harness.ts';

const RUN_TIMEOUT_MS = 120_000;

let pki: TestPki;
const servers: net.Server[] = [];
const held: net.Socket[] = [];
/** SNI names the good server saw, in order. */
const sniSeen: string[] = [];
const requests: string[] = [];

function listen(server: net.Server): Promise<number> {
  servers.push(server);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

/** The HTTPS peer: GET /hello and POST /echo, with ALPN pywasi/1 and http/1.1. It follows the
 * client's cipher preference (Node's default is its own order). */
function goodServer(): Promise<number> {
  const options = { key: pki.server.key, cert: pki.server.cert, ALPNProtocols: ['pywasi/1', 'http/1.1'], honorCipherOrder: false };
  const server = https.createServer(options, (req, res) => {
    requests.push(`${req.method} ${req.url}`);
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'text/plain; charset=utf-8');
      res.end(req.url === '/echo' ? `echo: ${body}` : 'hello over TLS');
    });
  });
  server.on('secureConnection', (socket: tls.TLSSocket) => sniSeen.push(String((socket as tls.TLSSocket & { servername?: string | false }).servername)));
  return listen(server);
}

/** A TLS peer presenting `pair`: the handshake is all a client gets to. */
const badServer = (pair: { key: string; cert: string }): Promise<number> => listen(tls.createServer({ key: pair.key, cert: pair.cert }, (s) => s.end()));

/** Accepts and never speaks: a client's handshake waits for a ServerHello that never comes. */
const silentServer = (): Promise<number> => listen(net.createServer((s) => held.push(s)));

/** Relays to `port` after `ms`: a non-blocking client's first handshake step surely finds nothing
 * to read. */
const slowRelay = (port: number, ms: number): Promise<number> =>
  listen(
    net.createServer((client) => {
      held.push(client);
      client.on('error', () => undefined);
      client.pause();
      setTimeout(() => {
        const upstream = net.connect(port, '127.0.0.1');
        held.push(upstream);
        upstream.on('error', () => undefined);
        client.pipe(upstream).pipe(client);
        client.resume();
      }, ms);
    }),
  );

let ports: { good: number; expired: number; unknownCa: number; silent: number; slow: number };

beforeAll(async () => {
  await buildCpython();
  pki = await makeTestPki();
  const good = await goodServer();
  ports = { good, expired: await badServer(pki.expired), unknownCa: await badServer(pki.unknownCa), silent: await silentServer(), slow: await slowRelay(good, 200) };
}, BUILD_TIMEOUT_MS);

afterAll(async () => {
  for (const s of held) s.destroy();
  for (const s of servers) if (s instanceof https.Server) s.closeAllConnections(); // keep-alive ones
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  pki?.remove();
});

describe('TLS clients in python.wasm', () => {
  test(
    'urllib, http.client, asyncio verify the native server through --ca-file; bad certificates and a silent server fail as they should',
    async () => {
      const run = await pywasiPython(['--ca-file', pki.ca.certFile, py('tls_client.py'), ...[ports.good, ports.expired, ports.unknownCa, ports.silent, ports.slow].map(String)], { timeoutMs: RUN_TIMEOUT_MS });
      expect({ exit: run.exitCode, detail: run.exitCode === 0 ? '' : describeRun(run) }).toEqual({ exit: 0, detail: '' });
      const r = lastJson<Record<string, Record<string, unknown>>>(run);
      console.log(JSON.stringify(r, null, 1));
      expect(r['urllib_get']).toEqual({ status: 200, body: 'hello over TLS' });
      expect(r['urllib_post']).toEqual({ status: 200, body: 'echo: from python.wasm' });
      expect(r['http_client']).toEqual({ status: 200, body: 'hello over TLS', version: 'TLSv1.3' });
      expect(r['asyncio']).toEqual({ status_line: 'HTTP/1.1 200 OK', body: 'hello over TLS', version: 'TLSv1.3' });
      // ALPN: the server's first choice among the client's offers; the guest prefers ChaCha20.
      expect(r['alpn_sni']).toEqual({ alpn: 'pywasi/1', version: 'TLSv1.3', cipher: 'TLS_CHACHA20_POLY1305_SHA256' });
      expect(r['wrong_hostname']).toEqual({ error: 'SSLCertVerificationError', reason: expect.stringMatching(/Hostname mismatch/) });
      expect(r['expired']).toEqual({ error: 'SSLCertVerificationError', reason: 'certificate has expired' });
      expect(r['unknown_ca']).toEqual({ error: 'SSLCertVerificationError', reason: 'unable to get local issuer certificate' });
      expect(r['nonblocking']).toEqual({ version: 'TLSv1.3', waited_for_read: true, sent: true, body: 'hello over TLS' });
      expect(r['timeout']).toEqual({ error: 'TimeoutError', message: expect.stringMatching(/timed out/) });
      // Every client named the server it wanted (SNI), IP-address connections included.
      expect(sniSeen.length).toBeGreaterThanOrEqual(6);
      expect(new Set(sniSeen)).toEqual(new Set(['localhost']));
      expect(requests).toEqual(expect.arrayContaining(['GET /hello', 'POST /echo']));
    },
    RUN_TIMEOUT_MS,
  );

  test(
    "requests (Debian's packages in ./deps) GETs and POSTs over HTTPS, verifying with the host-served bundle",
    async () => {
      const cwd = mkdtempSync(path.join(tmpdir(), 'pywasi-requests-'));
      try {
        await debianPythonPackages(
          ['python3-requests', 'python3-urllib3', 'python3-idna', 'python3-certifi', 'python3-charset-normalizer', 'python3-chardet', 'python3-six'],
          path.join(cwd, 'deps'),
        );
        const run = await pywasiPython(['--ca-file', pki.ca.certFile, py('tls_requests.py'), String(ports.good)], { cwd, timeoutMs: RUN_TIMEOUT_MS });
        expect({ exit: run.exitCode, detail: run.exitCode === 0 ? '' : describeRun(run) }).toEqual({ exit: 0, detail: '' });
        const r = lastJson<{ requests: string; where: string; get: unknown; post: unknown }>(run);
        expect(r).toEqual({
          requests: expect.stringMatching(/^2\./),
          where: '/etc/ssl/certs/ca-certificates.crt',
          get: { status: 200, body: 'hello over TLS' },
          post: { status: 200, body: 'echo: from requests' },
        });
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    },
    RUN_TIMEOUT_MS,
  );
});

describe("the guest's default trust", () => {
  const verifies = (caFileArgs: string[], env: string[] = []) =>
    pywasiPython([...caFileArgs, ...env, '--dir', `${pki.dir}:/pki:ro`, '-c', VERIFY_SCRIPT, String(ports.good)], { timeoutMs: RUN_TIMEOUT_MS });
  const VERIFY_SCRIPT = [
    'import json, socket, ssl, sys',
    'try:',
    '    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20) as s:',
    '        ssl.create_default_context().wrap_socket(s, server_hostname="localhost").close()',
    '    print(json.dumps({"result": "verified"}))',
    'except ssl.SSLCertVerificationError as e:',
    '    print(json.dumps({"result": e.verify_message}))',
  ].join('\n');

  test(
    "without --ca-file it is the host's bundle (which lacks the test CA); the guest's SSL_CERT_FILE beats it; --ca-file beats both",
    async () => {
      const hostBundle = await verifies([]);
      const guestVariable = await verifies([], ['-e', 'SSL_CERT_FILE=/pki/ca.pem']);
      const caFileWins = await verifies(['--ca-file', pki.unknownCa.certFile], ['-e', 'SSL_CERT_FILE=/pki/ca.pem']);
      const outcome = (run: Awaited<ReturnType<typeof verifies>>) => (run.exitCode === 0 ? lastJson<{ result: string }>(run).result : describeRun(run));
      expect({ hostBundle: outcome(hostBundle), guestVariable: outcome(guestVariable), caFileWins: outcome(caFileWins) }).toEqual({
        hostBundle: 'unable to get local issuer certificate',
        guestVariable: 'verified',
        caFileWins: 'unable to get local issuer certificate',
      });
    },
    3 * RUN_TIMEOUT_MS,
  );

  test('a --ca-file that is missing, or holds no certificate, is a one-line error before the guest starts', async () => {
    // A missing file is a bad flag (commander's exit 2); a file that is not PEM, pywasi's error (1).
    const missing = await pywasiPython(['--ca-file', '/nonexistent/ca.pem', '-c', 'pass'], { timeoutMs: RUN_TIMEOUT_MS });
    const notPem = await pywasiPython(['--ca-file', pki.ca.keyFile.replace(/ca\.key$/, 'leaf.cnf'), '-c', 'pass'], { timeoutMs: RUN_TIMEOUT_MS });
    expect([missing.exitCode, missing.stderr.trim()]).toEqual([2, expect.stringMatching(/option '--ca-file <pem>' argument '\/nonexistent\/ca.pem' is invalid\. no such file/)]);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect([notPem.exitCode, notPem.stderr.trim()]).toEqual([1, expect.stringMatching(/CA file .*leaf\.cnf holds no PEM certificate/)]);
    expect(notPem.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('TLS servers in python.wasm', () => {
  test(
    'asyncio.start_server(ssl=...) and a blocking wrapped server socket each answer a native client that verifies them',
    async () => {
      const child = startPywasi(['python', '--dir', `${pki.dir}:/pki:ro`, py('tls_server.py'), '/pki/server.pem', '/pki/server.key']);
      try {
        let timer: NodeJS.Timeout | undefined;
        const ports = await new Promise<{ asyncio: number; blocking: number }>((resolve, reject) => {
          let out = '';
          child.stdout!.on('data', (chunk: Buffer) => {
            out += chunk.toString();
            const line = out.split('\n').find((l) => l.startsWith('{'));
            if (line) resolve(JSON.parse(line) as { asyncio: number; blocking: number });
          });
          void child.then((r) => reject(new Error(`tls_server.py ended before listening: ${String(r.all)}`)));
          timer = setTimeout(() => reject(new Error(`no ports from tls_server.py: ${out}`)), RUN_TIMEOUT_MS / 2);
        }).finally(() => clearTimeout(timer));
        const ask = (port: number) =>
          new Promise<string>((resolve, reject) => {
            const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: pki.ca.cert }, () => socket.write('hello\n'));
            let answer = '';
            socket.on('data', (d: Buffer) => (answer += d.toString()));
            socket.on('end', () => resolve(answer.trim()));
            socket.on('error', reject);
          });
        expect(await ask(ports.asyncio)).toBe('asyncio got hello over TLSv1.3');
        expect(await ask(ports.blocking)).toBe('blocking got hello over TLSv1.3');
        const result = await child;
        expect(result.exitCode).toBe(0);
      } finally {
        await stopGroup(child).catch(() => undefined);
      }
    },
    RUN_TIMEOUT_MS,
  );
});
