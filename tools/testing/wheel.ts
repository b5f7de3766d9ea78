// Tiny pure-Python wheels for pip tests, written by the host python3's zipfile (no build tooling,
// no network): the files given, METADATA, WHEEL, RECORD, and optionally console scripts
// (entry_points.txt) and data files (NAME-VERSION.data/data/...), as the wheel format has them.
import { execa } from 'execa';

export interface WheelSpec {
  name: string;
  version: string;
  /** path in the wheel → text */
  files: Record<string, string>;
  /** Requires-Dist lines */
  requires?: string[];
  /** console script name → module:function */
  scripts?: Record<string, string>;
  /** path under the installation's data directory (e.g. share/x.txt) → text */
  data?: Record<string, string>;
}

const MAKE_WHEELS = `
import base64, hashlib, json, os, sys, zipfile
out, specs = sys.argv[1], json.loads(sys.argv[2])
for spec in specs:
    dist, version = spec['name'].replace('-', '_').replace('.', '_'), spec['version']
    info = f'{dist}-{version}.dist-info'
    files = dict(spec['files'])
    for path, text in spec.get('data', {}).items():
        files[f'{dist}-{version}.data/data/{path}'] = text
    files[f'{info}/METADATA'] = (
        f"Metadata-Version: 2.1\\nName: {spec['name']}\\nVersion: {version}\\nSummary: a pywasi test package\\n"
        + ''.join(f'Requires-Dist: {r}\\n' for r in spec.get('requires', []))
    )
    files[f'{info}/WHEEL'] = 'Wheel-Version: 1.0\\nGenerator: pywasi-tests\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n'
    if spec.get('scripts'):
        files[f'{info}/entry_points.txt'] = '[console_scripts]\\n' + ''.join(f'{k} = {v}\\n' for k, v in spec['scripts'].items())
    blobs = {path: text.encode() for path, text in files.items()}
    digest = lambda b: 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(b).digest()).rstrip(b'=').decode()
    record = ''.join(f'{path},{digest(b)},{len(b)}\\n' for path, b in blobs.items()) + f'{info}/RECORD,,\\n'
    with zipfile.ZipFile(os.path.join(out, f'{dist}-{version}-py3-none-any.whl'), 'w', zipfile.ZIP_DEFLATED) as z:
        for path, b in blobs.items():
            z.writestr(path, b)
        z.writestr(f'{info}/RECORD', record)
`;

/** Writes each spec's wheel into `out` (which must exist), named as pip expects. */
export async function makeWheels(out: string, specs: WheelSpec[], python = 'python3'): Promise<void> {
  await execa(python, ['-c', MAKE_WHEELS, out, JSON.stringify(specs)]);
}
