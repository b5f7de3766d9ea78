// Where a guest's default CA bundle comes from (src/trust.ts): --ca-file first (and it beats the
// guest's SSL_CERT_FILE), else the host's system bundle, else Node's root certificates; a CA
// file that is missing or not PEM is a one-line error naming it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, describe, expect, test } from '@jest/globals';
import { chooseTrust, GUEST_CA_FILE, TrustError } from '../src/index.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'pywasi-trust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  writeFileSync(path.join(dir, name), text);
  return path.join(dir, name);
};
const PEM = (tag: string) => `-----BEGIN CERTIFICATE-----\n${tag}\n-----END CERTIFICATE-----\n`;

describe('chooseTrust', () => {
  test('a CA file wins over the system bundle and is made the guest SSL_CERT_FILE', () => {
    const ca = file('mine.pem', PEM('mine'));
    const system = file('system.crt', PEM('system'));
    expect(chooseTrust({ caFile: ca, systemFiles: [system] })).toEqual({ pem: PEM('mine'), source: ca, env: { SSL_CERT_FILE: GUEST_CA_FILE } });
  });

  test("the first system bundle that exists and holds a certificate, then Node's root certificates", () => {
    const empty = file('empty.crt', '');
    const system = file('second.crt', PEM('second'));
    expect(chooseTrust({ systemFiles: [path.join(dir, 'absent.crt'), empty, system] })).toEqual({ pem: PEM('second'), source: system, env: {} });
    const fallback = chooseTrust({ systemFiles: [path.join(dir, 'absent.crt')] });
    expect(fallback.source).toBe("node's root certificates");
    expect(fallback.pem.match(/BEGIN CERTIFICATE/g)).toHaveLength(rootCertificates.length);
  });

  test('a missing CA file, or one with no certificate, is a TrustError naming it', () => {
    expect(() => chooseTrust({ caFile: path.join(dir, 'nope.pem') })).toThrow(new TrustError(`CA file ${path.join(dir, 'nope.pem')}: no such file; give a PEM file of CA certificates`));
    const key = file('key.pem', '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n');
    expect(() => chooseTrust({ caFile: key })).toThrow(/CA file .*key\.pem holds no PEM certificate/);
  });
});
