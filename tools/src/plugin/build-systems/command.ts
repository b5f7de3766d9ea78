// The command build system: one program (a tool another project built, a script) run over a
// prepared tree, writing one output (the stdlib zip). Its dependencies are its tools, links and
// the targets it reads; a variant may name another output and reads other projects' variants.
import type { TargetConfiguration } from '@nx/devkit';
import type { CommandBuild } from '../descriptor.ts';
import { PLUGIN, buildsOf, fillPaths, placesInVariant, placesOf, readsOf, sharedInputs, treeOf, withExecutor, type Context } from '../targets/context.ts';

/** The command's options for one variant (undefined: the default build). */
function commandOptions(ctx: Context, variantName?: string): Record<string, unknown> {
  const b = ctx.d.build as CommandBuild;
  const variant = variantName ? ctx.d.variants?.[variantName] : undefined;
  const tree = treeOf(ctx, variantName);
  const places = { ...placesOf(ctx.name, undefined, ctx.sourceProject), src: tree.dir };
  const output = variant?.output ?? b.output;
  const others = placesInVariant(ctx, variantName);
  const command = b.command.map((w) => fillPaths(w.replaceAll('{output}', output), places, '.', others));
  return { ...(tree.source ? { sourceDir: places.src, source: tree.source } : {}), command, output };
}

/** One cached target that runs a command; its dependencies are its tools, links and reads. */
export function commandTargets(ctx: Context): Record<string, TargetConfiguration> {
  const reads = readsOf(ctx);
  const variants = Object.keys(ctx.d.variants ?? {});
  const main = commandOptions(ctx);
  const [program] = main['command'] as string[];
  const over = ctx.source ? ` over ${placesOf(ctx.name, undefined, ctx.sourceProject).src}` : '';
  return {
    build: {
      executor: `${PLUGIN}:command`,
      metadata: { description: `runs ${program}${over}, writing ${String(main['output'])}` },
      cache: true,
      dependsOn: [...buildsOf(ctx), ...reads.dependsOn],
      inputs: withExecutor(ctx, 'command', [...sharedInputs(ctx, false), ...reads.inputs]),
      outputs: ['{options.output}'],
      options: main,
      ...(variants.length ? { configurations: Object.fromEntries(variants.map((v) => [v, commandOptions(ctx, v)])) } : {}),
    },
  };
}
