import { describe, expect, it } from 'vitest';
import { encodePng } from '../data/image-files.js';
import {
  bodyLimit,
  decodeImageBody,
  parseClientInfo,
  parseScoresReply,
  scoresReply,
} from './http-codec.js';

const SHAPE = { height: 28, width: 28 };
const OCTET = 'application/octet-stream';

describe('decodeImageBody', () => {
  it('takes N from the length of a raw body', async () => {
    const body = Buffer.alloc(3 * 784, 7);
    const probes = await decodeImageBody(body, OCTET, SHAPE, 10);
    expect([probes.count, probes.height, probes.width]).toEqual([3, 28, 28]);
    expect(probes.images[3 * 784 - 1]).toBe(7);
  });

  it('refuses a length that is not a whole number of images', async () => {
    await expect(decodeImageBody(Buffer.alloc(785), OCTET, SHAPE, 10)).rejects.toMatchObject({
      code: 'SP_SHAPE',
      status: 400,
      message: 'expected N × 28 × 28 = a positive multiple of 784 bytes, received 785 bytes',
    });
    await expect(decodeImageBody(Buffer.alloc(0), OCTET, SHAPE, 10)).rejects.toMatchObject({
      code: 'SP_SHAPE',
    });
  });

  it('refuses more images than allowed with 413', async () => {
    await expect(decodeImageBody(Buffer.alloc(3 * 784), OCTET, SHAPE, 2)).rejects.toMatchObject({
      code: 'SP_TOO_LARGE',
      status: 413,
      message: 'expected at most 2 images per request, received 3',
    });
  });

  it('decodes one PNG, ignoring media type parameters', async () => {
    const png = Buffer.from(await encodePng(new Uint8Array(784).fill(9), 28, 28));
    const probes = await decodeImageBody(png, 'image/png; charset=binary', SHAPE, 1);
    expect(probes.count).toBe(1);
    expect(new Set(probes.images)).toEqual(new Set([9]));
  });

  it('refuses a bad PNG, a PNG of another size and other media types', async () => {
    await expect(decodeImageBody(Buffer.from('nope'), 'image/png', SHAPE, 1)).rejects.toMatchObject(
      { code: 'SP_IMAGE_INVALID', status: 400 },
    );
    const small = Buffer.from(await encodePng(new Uint8Array(16), 4, 4));
    await expect(decodeImageBody(small, 'image/png', SHAPE, 1)).rejects.toThrow(
      'request body: expected 28×28 pixels (width×height), received 4×4',
    );
    await expect(decodeImageBody({}, 'application/json', SHAPE, 1)).rejects.toMatchObject({
      code: 'SP_MEDIA_TYPE',
      status: 415,
    });
  });

  it('allows a body of max images, or one large PNG', () => {
    expect(bodyLimit(SHAPE, 4096)).toBe(4096 * 784);
    expect(bodyLimit(SHAPE, 1)).toBe(1 << 20);
  });
});

describe('parseScoresReply', () => {
  const expected = { label: 3, count: 2 };
  const good = {
    label: 3,
    count: 2,
    reconstructionError: [0.1, 0.2],
    discriminatorScore: [0, 1],
  };

  it('reads float32 scores back exactly as they were sent', () => {
    const scores = {
      reconstructionError: Float32Array.of(0.1, 1e-7),
      discriminatorScore: Float32Array.of(0.3, 0.999),
    };
    const wire = JSON.parse(JSON.stringify(scoresReply(3, scores)));
    expect(parseScoresReply(wire, expected, 'c')).toEqual(scores);
  });

  it.each([
    [{ ...good, label: 4 }, 'expected "label" to be one of 3, received 4'],
    [{ ...good, count: 1 }, 'expected "count" to be a whole number ≥ 2 and ≤ 2'],
    [{ ...good, reconstructionError: [0.1] }, 'an array of 2 values'],
    [{ ...good, discriminatorScore: [0.5, 2] }, '"discriminatorScore[1]" to be a finite number'],
    [{ ...good, reconstructionError: [0.1, -1] }, '"reconstructionError[1]"'],
    [{ ...good, reconstructionError: [0.1, 'x'] }, 'received "x"'],
    ['garbage', 'expected a JSON object, received "garbage"'],
  ])('refuses a malformed answer with SP_CLIENT_BAD_REPLY (%#)', (reply, message) => {
    expect(() => parseScoresReply(reply, expected, 'client 3 at u')).toThrow(message);
    expect(() => parseScoresReply(reply, expected, 'client 3 at u')).toThrow(
      expect.objectContaining({ code: 'SP_CLIENT_BAD_REPLY', status: 502 }),
    );
  });
});

describe('parseClientInfo', () => {
  it('refuses a fingerprint that is not a SHA-256', () => {
    const info = { label: 1, height: 28, width: 28, fingerprint: 'ab', errorStats: {} };
    expect(() => parseClientInfo(info, 'c', 'SP_CLIENT_BAD_REPLY')).toThrow(
      'c: expected "fingerprint" to be a string matching',
    );
  });
});
