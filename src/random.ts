/**
 * Seeded pseudo-random numbers. Every random choice in semipriv (data draws, weight
 * initialisation, latent noise, augmentation) comes from one of these, so a run is repeatable
 * from its seed alone.
 */

/** A seeded generator of uniform and normal numbers. */
export interface Rng {
  /** A uniform number in [0, 1). */
  next(): number;
  /** A uniform integer in [0, n). */
  int(n: number): number;
  /** A standard normal number. */
  normal(): number;
  /** A 32-bit integer, to seed TensorFlow.js random ops. */
  uint32(): number;
  /** An independent generator derived from this one's seed and `stream`. */
  fork(stream: number): Rng;
}

// splitmix32 mixes a seed into well-spread state words.
function splitmix32(state: number): [number, number] {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/**
 * A xoshiro128** generator seeded from `seed` (any integer).
 *
 * @example
 * const rng = createRng(0);
 * const i = rng.int(10); // the same on every run
 */
export function createRng(seed: number): Rng {
  let mix = seed | 0;
  const s = new Uint32Array(4);
  for (let i = 0; i < 4; i++) [mix, s[i]] = splitmix32(mix);
  let spare: number | null = null;

  const uint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 11);
    return result;
  };
  const next = (): number => uint32() / 4294967296;

  return {
    next,
    uint32,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      if (spare !== null) {
        const value = spare;
        spare = null;
        return value;
      }
      // Box–Muller; 1 - u keeps the logarithm finite.
      const u = 1 - next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    fork: (stream) =>
      createRng((Math.imul(seed | 0, 0x27d4eb2d) ^ Math.imul(stream + 1, 0x165667b1)) | 0),
  };
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Shuffles `items` in place (Fisher–Yates) and returns it. */
export function shuffle<T>(rng: Rng, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** `k` distinct integers drawn from [0, n), in random order. */
export function sampleIndices(rng: Rng, n: number, k: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  return shuffle(rng, all).slice(0, k);
}
