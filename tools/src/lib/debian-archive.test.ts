import { parseDeb822Sources, parseOneLineSources, poolPath, toDebSrcStanzas } from './debian-archive.ts';
import { disappearedPin, sourcesForSuite } from './debian-archive.ts';

describe('apt sources', () => {
  it('reads deb822 stanzas, keeping only binary (deb) ones and their extra fields', () => {
    const sources = parseDeb822Sources(
      [
        'Types: deb',
        '# a comment',
        'URIs: http://mirror.invalid/debian',
        'Suites: bookworm bookworm-updates',
        'Components: main',
        'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg',
        '',
        'Types: deb-src',
        'URIs: http://src.invalid/debian',
        'Suites: bookworm',
        'Components: main',
        '',
        'Types: deb',
        'URIs: http://off.invalid/debian',
        'Suites: bookworm',
        'Enabled: no',
      ].join('\n'),
    );
    expect(sources).toEqual([
      {
        uris: ['http://mirror.invalid/debian'],
        suites: ['bookworm', 'bookworm-updates'],
        components: ['main'],
        extra: { 'Signed-By': '/usr/share/keyrings/debian-archive-keyring.gpg' },
      },
    ]);
  });

  it('reads one-line sources with options', () => {
    const sources = parseOneLineSources(
      'deb [arch=amd64 signed-by=/k.gpg] http://m.invalid/debian bookworm main contrib # x\n# deb http://no.invalid/ x main\ndeb-src http://s.invalid/ bookworm main\n',
    );
    expect(sources).toEqual([
      { uris: ['http://m.invalid/debian'], suites: ['bookworm'], components: ['main', 'contrib'], extra: { 'Signed-By': '/k.gpg' } },
    ]);
  });

  it('turns them into deb-src stanzas', () => {
    const text = toDebSrcStanzas([{ uris: ['http://m.invalid/debian'], suites: ['bookworm'], components: ['main'], extra: { 'Signed-By': '/k.gpg' } }]);
    expect(text).toBe('Types: deb-src\nURIs: http://m.invalid/debian\nSuites: bookworm\nComponents: main\nSigned-By: /k.gpg\n');
  });

  it("moves the machine's Debian sources to another release, dropping a vendor's", () => {
    const extra = { 'Signed-By': '/k.gpg' };
    const machine = [
      { uris: ['http://m.invalid/debian'], suites: ['bookworm', 'bookworm-updates'], components: ['main'], extra },
      { uris: ['http://m.invalid/debian-security'], suites: ['bookworm-security'], components: ['main'], extra },
      { uris: ['https://vendor.invalid/node'], suites: ['nodistro'], components: ['main'], extra: {} },
    ];
    expect(sourcesForSuite(machine, 'trixie', 'bookworm')).toEqual([
      { uris: ['http://m.invalid/debian'], suites: ['trixie', 'trixie-updates'], components: ['main'], extra },
      { uris: ['http://m.invalid/debian-security'], suites: ['trixie-security'], components: ['main'], extra },
    ]);
    expect(sourcesForSuite(machine, 'trixie', undefined)).toEqual([]);
  });

  it('computes pool paths as Debian does', () => {
    expect(poolPath('python3.11', 'python3.11_3.11.2.orig.tar.gz')).toBe('pool/main/p/python3.11/python3.11_3.11.2.orig.tar.gz');
    expect(poolPath('libxml2', 'f')).toBe('pool/main/libx/libxml2/f');
  });
});

test('a pin is gone only when the archive serves another upstream file', () => {
  const orig = { package: 'zlib', version: '1:1.2.13.dfsg-1', file: 'zlib_1.2.13.dfsg.orig.tar.bz2' };
  expect(disappearedPin(orig, { urls: [], servedVersion: '1.2.13.dfsg-1', servedOrigs: [orig.file] })).toBeUndefined();
  expect(disappearedPin(orig, { urls: [], servedVersion: '1.2.13.dfsg-1+deb12u1', servedOrigs: [orig.file] })).toBeUndefined();
  expect(disappearedPin(orig, { urls: [] })).toBeUndefined();
  expect(disappearedPin(orig, { urls: [], servedVersion: '1.3-1', servedOrigs: ['zlib_1.3.orig.tar.gz'] })).toMatch(/no longer serves zlib 1:1\.2\.13\.dfsg-1 .*it serves 1\.3-1 \(zlib_1\.3\.orig\.tar\.gz\)/);
});
