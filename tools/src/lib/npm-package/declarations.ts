// One .d.ts per entry point, rolled up from the TypeScript sources by rollup-plugin-dts: what the
// package exports and nothing of its file layout. tsc alone would emit a .d.ts per source file
// that keeps our `./x.ts` import specifiers, which a consumer's TypeScript refuses.
import { BuildError } from '../build-error.ts';

export interface DeclarationBundle {
  /** Absolute TypeScript entry point. */
  entry: string;
  /** Absolute .d.ts to write. */
  output: string;
}

export async function writeDeclarations(bundles: DeclarationBundle[], tsconfig: string): Promise<void> {
  const { rollup } = await import('rollup');
  const { dts } = await import('rollup-plugin-dts');
  for (const bundle of bundles) {
    let build;
    try {
      build = await rollup({
        input: bundle.entry,
        // Only the package's own modules are rolled in; node: builtins and packages stay imports.
        external: (id) => !id.startsWith('.') && !id.startsWith('/'),
        plugins: [dts({ tsconfig, compilerOptions: { types: ['node'] } })],
        onwarn: (warning) => {
          throw new BuildError(`declarations of ${bundle.entry}: ${warning.message}`);
        },
      });
      await build.write({ file: bundle.output, format: 'es' });
    } catch (error) {
      if (error instanceof BuildError) throw error;
      throw new BuildError(`declarations of ${bundle.entry} failed: ${(error as Error).message}`);
    } finally {
      await build?.close();
    }
  }
}
