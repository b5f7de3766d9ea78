/**
 * A failure the user caused and can fix (bad flag value, missing file...). main() prints its
 * message as one line prefixed with "pywasi:" and exits with `exitCode`, without a stack.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 2,
    /** `bare`: printed as is, without "pywasi:" (a message python3 itself would print). */
    readonly options: { bare?: boolean } = {},
  ) {
    super(message);
  }
}
