// The CA certificates a TLS client in the guest trusts without being told: one PEM bundle served
// read-only at /etc/ssl/cert.pem, OpenSSL's default file when it is built with OPENSSLDIR=/etc/ssl
// (libs/openssl), so `ssl.create_default_context()` verifies real servers with no setup; and at
// /etc/ssl/certs/ca-certificates.crt, Debian's path, where Debian's certifi (requests) looks.
//
// Which bundle, first match wins:
//   1. `caFile` (the CLI's --ca-file): also set as the guest's SSL_CERT_FILE, so it beats 2;
//   2. the guest's own SSL_CERT_FILE (OpenSSL reads that variable itself; the default file stays);
//   3. the host's system bundle, when it has one (/etc/ssl/certs/ca-certificates.crt on Debian);
//   4. Node's built-in root certificates (tls.rootCertificates).
import { existsSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';

export const GUEST_CA_DIR = '/etc/ssl';
export const GUEST_CA_FILE = `${GUEST_CA_DIR}/cert.pem`;
/** The same bundle where Debian keeps it (and Debian's python3-certifi points). */
export const GUEST_DEBIAN_CA_FILE = `${GUEST_CA_DIR}/certs/ca-certificates.crt`;

/** Where systems keep their bundle: Debian/Ubuntu, Fedora/RHEL, Alpine/macOS/BSD. */
export const SYSTEM_CA_FILES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

export interface TrustChoice {
  pem: string;
  /** Where it came from, for messages: the file, or "node's root certificates". */
  source: string;
  /** Variables the guest's environment must have for the choice to win. */
  env: Record<string, string>;
}

/** A CA file the user named is missing or holds no certificate. */
export class TrustError extends Error {
  override readonly name = 'TrustError';
}

const PEM_CERT = '-----BEGIN CERTIFICATE-----';

function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (e) {
    const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new TrustError(`CA file ${file}: ${reason}; give a PEM file of CA certificates`);
  }
  if (!pem.includes(PEM_CERT)) throw new TrustError(`CA file ${file} holds no PEM certificate ("${PEM_CERT}"); give a PEM file of CA certificates`);
  return pem;
}

export function chooseTrust(options: { caFile?: string; systemFiles?: readonly string[] }): TrustChoice {
  if (options.caFile !== undefined) {
    const file = path.resolve(options.caFile);
    return { pem: readCaFile(file), source: file, env: { SSL_CERT_FILE: GUEST_CA_FILE } };
  }
  for (const file of options.systemFiles ?? SYSTEM_CA_FILES) {
    if (!existsSync(file)) continue;
    try {
      const pem = readFileSync(file, 'utf8');
      if (pem.includes(PEM_CERT)) return { pem, source: file, env: {} };
    } catch {
      // unreadable: the next place
    }
  }
  // Loaded here only: loading node:tls cost `pywasi python -c pass` 2 MiB of peak memory (Node 24).
  const { rootCertificates } = createRequire(import.meta.url)('node:tls') as typeof import('node:tls');
  return { pem: rootCertificates.join('\n') + '\n', source: "node's root certificates", env: {} };
}

/** Writes the bundle into `dir` (a fresh private directory, mounted read-only at /etc/ssl). */
export function writeTrustDir(dir: string, choice: TrustChoice): void {
  writeFileSync(path.join(dir, 'cert.pem'), choice.pem, { mode: 0o444 });
  mkdirSync(path.join(dir, 'certs'));
  linkSync(path.join(dir, 'cert.pem'), path.join(dir, 'certs', 'ca-certificates.crt')); // one file, two names
}
