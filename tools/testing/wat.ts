// Compiles WAT test modules with the npm wabt package.
import wabtInit from 'wabt';

let wabtPromise: ReturnType<typeof wabtInit> | null = null;

export async function wat(text: string): Promise<Uint8Array> {
  wabtPromise ??= wabtInit();
  const wabt = await wabtPromise;
  const mod = wabt.parseWat('test.wat', text, { multi_value: true, bulk_memory: true });
  try {
    mod.resolveNames();
    mod.validate();
    return new Uint8Array(mod.toBinary({}).buffer);
  } finally {
    mod.destroy();
  }
}
