/**
 * A failure the user caused and can fix (bad flag value, missing file...). main() prints its
 * message as one line prefixed with "pywasi:" and exits with `exitCode`, without a stack.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;
  /** `bare`: printed as is, without "pywasi:" (a message python3 itself would print). */
  readonly options: { bare?: boolean };

  constructor(
    message: string,
    exitCode = 2,
    options: { bare?: boolean } = {},
  ) {
    super(message);
    this.exitCode = exitCode;
    this.options = options;
  }
}
