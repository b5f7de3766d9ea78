import type { ExecutorContext } from '@nx/devkit';
import { reportBuildErrors } from '../../lib/build-error.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { ensureLlvmToolchain } from '../../lib/llvm-toolchain.ts';
import { writeToolchainManifest } from '../../lib/toolchain-manifest.ts';
import type { ToolchainExecutorOptions } from './schema.d.ts';

export default async function toolchainExecutor(options: ToolchainExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    const found = await ensureLlvmToolchain(options.llvmMajor, { install: options.install ?? true });
    const targetFlags = (options.wasmFeatures ?? []).map((f) => `-m${f}`);
    const toolchain = targetFlags.length ? { ...found, targetFlags } : found;
    const manifest = writeToolchainManifest(places.workspaceRoot, toolchain, options.manifest);
    console.log(`[${places.label}] ${toolchain.versionId.split('\n')[0]}${targetFlags.length ? ` ${targetFlags.join(' ')}` : ''} -> ${manifest}`);
  });
}
