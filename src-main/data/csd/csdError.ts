/**
 * A problem with a computational sequence (.csd) that a researcher can act on.
 * The message always starts with the file's path, so it stands on its own in a log or dialog.
 */
export class CsdError extends Error {
  override readonly name = 'CsdError';
  constructor(
    readonly file: string,
    readonly detail: string,
  ) {
    super(`${file}: ${detail}`);
  }
}
