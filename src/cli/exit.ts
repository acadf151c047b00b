/**
 * The CLI's one way out on failure: the error's code, its message and a hint.
 */
import { isSemiprivError } from '../errors.js';

/** Prints `error` for a person and returns the process exit code (2 for usage errors). */
export function reportFailure(
  error: unknown,
  write = (s: string) => process.stderr.write(s),
): number {
  if (isSemiprivError(error)) {
    write(`semipriv: error ${error.code}: ${error.message}\n`);
    write(`  hint: ${error.hint}\n`);
    write('  all error codes: docs/errors.md\n');
    return error.code === 'SP_OPTION' ? 2 : 1;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  write(`semipriv: unexpected error (SP_INTERNAL): ${message}\n`);
  write('  hint: This is a bug in semipriv; please report it with the command you ran.\n');
  return 1;
}
