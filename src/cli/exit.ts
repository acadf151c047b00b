/**
 * The CLI's one way out on failure: the error's code, its message and a hint.
 */
import { fileURLToPath } from 'node:url';
import { isSemiprivError, SemiprivError } from '../errors.js';

/** The list of every error code, where the package is installed (src/ and dist/ alike). */
export const ERRORS_DOC = fileURLToPath(new URL('../../docs/errors.md', import.meta.url));

/**
 * Prints `error` for a person and returns the process exit code (2 for usage errors). A
 * file-system failure on a path the user named is reported as SP_FILE, not as a bug.
 */
export function reportFailure(
  thrown: unknown,
  write: (s: string) => unknown = (s) => process.stderr.write(s),
): number {
  const error = fileSystemError(thrown) ?? thrown;
  if (isSemiprivError(error)) {
    write(`semipriv: error ${error.code}: ${error.message}\n`);
    write(`  hint: ${error.hint}\n`);
    write(`  all error codes: ${ERRORS_DOC}\n`);
    return error.code === 'SP_OPTION' ? 2 : 1;
  }
  const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
  write(`semipriv: unexpected error (SP_INTERNAL): ${message}\n`);
  write('  hint: This is a bug in semipriv; please report it with the command you ran.\n');
  return 1;
}

/** The SP_FILE error for a failed file-system call, or undefined for anything else. */
export function fileSystemError(error: unknown): SemiprivError | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code, syscall, path } = error as NodeJS.ErrnoException;
  if (code === undefined || syscall === undefined || path === undefined) return undefined;
  return new SemiprivError('SP_FILE', `${path}: ${syscall} failed (${code})`, { cause: error });
}
