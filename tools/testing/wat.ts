// Compiles WAT test modules with the npm wabt package.
import wabtInit from 'wabt';

let wabtPromise: ReturnType<typeof wabtInit> | null = null;

/** `features`: wabt's feature flags beyond multi-value and bulk memory (e.g. `{ threads: true }`). */
export async function wat(text: string, features: Record<string, boolean> = {}): Promise<Uint8Array> {
  wabtPromise ??= wabtInit();
  const wabt = await wabtPromise;
  const mod = wabt.parseWat('test.wat', text, { multi_value: true, bulk_memory: true, ...features });
  try {
    mod.resolveNames();
    // wabt.js's validator ignores the parse's features (it refuses a shared memory even with
    // threads on): with features, V8 validates instead.
    if (Object.keys(features).length === 0) mod.validate();
    const bytes = new Uint8Array(mod.toBinary({}).buffer);
    if (!WebAssembly.validate(bytes)) throw new Error('the WAT module is not valid WebAssembly (V8 refused it)');
    return bytes;
  } finally {
    mod.destroy();
  }
}
