/**
 * What goes over the wire between server and clients, and its checks. Images travel as
 * `application/octet-stream` (N × height × width pixels, one byte each, N implied by the length)
 * or as `image/png` (one image). Scores and client facts travel as JSON, read back with checks
 * so that a garbled answer is refused rather than classified.
 */
import { decodeImage, type ImageShape } from '../data/image-files.js';
import { SemiprivError, type ErrorCode } from '../errors.js';
import { JsonFields } from '../json-check.js';
import type { Scores } from '../model/bibae.js';
import type { ClientInfo, ProbeBatch } from './types.js';

/** The media types an image body may have. */
export const IMAGE_MEDIA_TYPES = ['application/octet-stream', 'image/png'] as const;

/** The default most images one request may carry. */
export const DEFAULT_MAX_IMAGES = 4096;

// a PNG of one small image; generous, since the pixel size is checked after the header
const MAX_PNG_BYTES = 1 << 20;

/** The largest body, in bytes, a node taking at most `maxImages` images accepts. */
export function bodyLimit(shape: ImageShape, maxImages: number): number {
  return Math.max(maxImages * shape.height * shape.width, MAX_PNG_BYTES);
}

/**
 * Decodes an image request body into probes of `shape`.
 *
 * @throws SemiprivError SP_MEDIA_TYPE for another media type, SP_SHAPE for a raw length that is
 *   not a whole number of images or a PNG of another size, SP_IMAGE_INVALID for a PNG that does
 *   not decode, SP_TOO_LARGE for more than `maxImages` images.
 *
 * @example
 * const probes = await decodeImageBody(request.body, request.headers['content-type'],
 *   { height: 28, width: 28 }, 4096);
 */
export async function decodeImageBody(
  body: unknown,
  contentType: string | undefined,
  shape: ImageShape,
  maxImages: number,
): Promise<ProbeBatch> {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  if (!(body instanceof Uint8Array) || !IMAGE_MEDIA_TYPES.some((t) => t === type)) {
    throw new SemiprivError(
      'SP_MEDIA_TYPE',
      `expected a body of type ${IMAGE_MEDIA_TYPES.join(' or ')}, received ${type || 'none'}`,
    );
  }
  const { height, width } = shape;
  if (type === 'image/png') {
    const images = await decodeImage(body, { shape, name: 'request body', formats: ['png'] });
    return { images, count: 1, height, width };
  }

  const size = height * width;
  if (body.length === 0 || body.length % size !== 0) {
    throw new SemiprivError(
      'SP_SHAPE',
      `expected N × ${height} × ${width} = a positive multiple of ${size} bytes, ` +
        `received ${body.length} bytes`,
    );
  }
  const count = body.length / size;
  if (count > maxImages) {
    throw new SemiprivError(
      'SP_TOO_LARGE',
      `expected at most ${maxImages} ${maxImages === 1 ? 'image' : 'images'} per request, ` +
        `received ${count}`,
    );
  }
  return { images: body, count, height, width };
}

/** The JSON answer of `POST /v1/scores`. */
export interface ScoresReply {
  label: number;
  count: number;
  reconstructionError: number[];
  discriminatorScore: number[];
}

/** Scores as the JSON a client answers; float32 values survive the trip exactly. */
export function scoresReply(label: number, scores: Scores): ScoresReply {
  return {
    label,
    count: scores.reconstructionError.length,
    reconstructionError: Array.from(scores.reconstructionError),
    discriminatorScore: Array.from(scores.discriminatorScore),
  };
}

/**
 * Reads a client's scores answer, refusing with SP_CLIENT_BAD_REPLY anything but the label and
 * count asked for, with one non-negative error and one score in [0, 1] per probe.
 */
export function parseScoresReply(
  value: unknown,
  expected: { label: number; count: number },
  where: string,
): Scores {
  const reply = JsonFields.of(value, where, 'SP_CLIENT_BAD_REPLY');
  reply.oneOf('label', [expected.label]);
  const count = reply.number('count', { integer: true, min: expected.count, max: expected.count });
  return {
    reconstructionError: Float32Array.from(reply.numbers('reconstructionError', count, { min: 0 })),
    discriminatorScore: Float32Array.from(
      reply.numbers('discriminatorScore', count, { min: 0, max: 1 }),
    ),
  };
}

/** Reads {@link ClientInfo} from JSON, refusing anything malformed with `code`. */
export function parseClientInfo(value: unknown, where: string, code: ErrorCode): ClientInfo {
  const info = JsonFields.of(value, where, code);
  const stats = info.object('errorStats');
  return {
    label: info.number('label', { integer: true, min: 0, max: 255 }),
    height: info.number('height', { integer: true, min: 1 }),
    width: info.number('width', { integer: true, min: 1 }),
    fingerprint: info.string('fingerprint', /^[0-9a-f]{64}$/),
    errorStats: { mean: stats.number('mean'), std: stats.number('std', { min: 0 }) },
  };
}

/** Images `start … start + count` of `probes`, as an octet-stream body. */
export function probesSlice(probes: ProbeBatch, start: number, count: number): Uint8Array {
  const size = probes.height * probes.width;
  return probes.images.subarray(start * size, (start + count) * size);
}
