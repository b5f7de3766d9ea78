/**
 * A failure the user can act on. Executors print `message` (never a stack) and fail the target.
 * Anything else that is thrown is a bug in the executor and is reported with its stack.
 */
export class BuildError extends Error {
  override readonly name = 'BuildError';
}

/** Runs an executor body, turning a BuildError into a one-message failure for Nx. */
export async function reportBuildErrors(
  label: string,
  body: () => Promise<void>,
): Promise<{ success: boolean }> {
  try {
    await body();
    return { success: true };
  } catch (error) {
    if (error instanceof BuildError) {
      console.error(`\n[${label}] error: ${error.message}`);
      return { success: false };
    }
    throw error;
  }
}
