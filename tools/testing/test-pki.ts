// A throwaway PKI for TLS tests and benchmarks, made with the machine's `openssl` program: a test
// CA, certificates it signs for localhost/127.0.0.1 (valid, expired), and a second CA nobody
// trusts with a certificate of its own. P-256 keys: quick to make, and what servers use.
//
//   const pki = await makeTestPki();          // pki.dir holds every file; pki.remove() when done
//   https.createServer({ key: pki.server.key, cert: pki.server.cert }, ...)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';

export interface KeyPair {
  /** PEM text. */
  key: string;
  cert: string;
  keyFile: string;
  certFile: string;
}

export interface TestPki {
  dir: string;
  /** The trusted test CA (its certificate is what a client is given). */
  ca: KeyPair;
  /** localhost + 127.0.0.1, signed by ca, valid for two days. */
  server: KeyPair;
  /** localhost + 127.0.0.1, signed by ca, expired (valid for 0 days, a second before now). */
  expired: KeyPair;
  /** localhost + 127.0.0.1, signed by another CA that no client trusts. */
  unknownCa: KeyPair;
  remove(): void;
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

async function openssl(dir: string, args: string[]): Promise<void> {
  const run = await execa('openssl', args, { cwd: dir, reject: false, all: true });
  if (run.exitCode !== 0) {
    const missing = (run as { code?: string }).code === 'ENOENT';
    throw new Error(missing ? 'the openssl program is missing: apt-get install openssl' : `openssl ${args.join(' ')}:\n${run.all}`);
  }
}

function pair(dir: string, name: string): KeyPair {
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.pem`);
  return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), keyFile, certFile };
}

async function makeCa(dir: string, name: string, cn: string): Promise<void> {
  await openssl(dir, ['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', `/CN=${cn}`, '-days', '2',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
}

async function makeLeaf(dir: string, name: string, ca: string, days: number): Promise<void> {
  await openssl(dir, ['req', '-new', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', '/CN=localhost']);
  await openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-set_serial', String(Date.now()),
    '-days', String(days), '-extfile', 'leaf.cnf', '-out', `${name}.pem`]);
}

export async function makeTestPki(): Promise<TestPki> {
  const dir = mkdtempSync(path.join(tmpdir(), 'pywasi-pki-'));
  try {
    writeFileSync(path.join(dir, 'leaf.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n');
    await makeCa(dir, 'ca', 'pywasi test CA');
    await makeCa(dir, 'other-ca', 'untrusted test CA');
    await makeLeaf(dir, 'server', 'ca', 2);
    await makeLeaf(dir, 'expired', 'ca', 0); // notAfter = now: expired from the next second on
    await makeLeaf(dir, 'unknown-ca', 'other-ca', 2);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    dir,
    ca: pair(dir, 'ca'),
    server: pair(dir, 'server'),
    expired: pair(dir, 'expired'),
    unknownCa: pair(dir, 'unknown-ca'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
