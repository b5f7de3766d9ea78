import type { ExecutorContext } from '@nx/devkit';
import { reportBuildErrors } from '../../lib/build-error.ts';
import { targetPlaces } from '../../lib/executor-context.ts';
import { ensureLlvmToolchain } from '../../lib/llvm-toolchain.ts';
import { writeToolchainManifest } from '../../lib/toolchain-manifest.ts';
import type { ToolchainExecutorOptions } from './schema.d.ts';

export default async function toolchainExecutor(options: ToolchainExecutorOptions, context: ExecutorContext) {
  const places = targetPlaces(context);
  return reportBuildErrors(places.label, async () => {
    const toolchain = await ensureLlvmToolchain(options.llvmMajor, { install: options.install ?? true });
    const manifest = writeToolchainManifest(places.workspaceRoot, toolchain, options.manifest);
    console.log(`[${places.label}] ${toolchain.versionId.split('\n')[0]} -> ${manifest}`);
  });
}
