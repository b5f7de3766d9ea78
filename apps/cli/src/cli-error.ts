/**
 * A failure the user caused and can fix (bad flag value, missing file...). main() prints its
 * message as one line prefixed with "pywasi:" and exits with `exitCode`, without a stack.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly exitCode: number;

  constructor(
    message: string,
    exitCode = 2,
  ) {
    super(message);
    this.exitCode = exitCode;
  }
}
