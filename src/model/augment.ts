/**
 * Data augmentation for the server classifier's labelled images.
 */
import type { Rng } from '../random.js';

/** Ranges of the random affine augmentation. */
export interface AffineOptions {
  /** Largest shift, in pixels, along each axis. */
  shift: number;
  /** Largest rotation, in degrees, either way. */
  rotate: number;
  /** Largest relative change of size, e.g. 0.1 for ×0.9 to ×1.1. */
  scale: number;
  /**
   * Mirror half of the images left to right: right for clothes, wrong for digits, whose
   * mirror images are not digits.
   */
  flip: boolean;
}

/**
 * The augmentation that suits each bundled dataset, and none. Digits tilt and vary in size but
 * a mirrored digit is no digit; garments are photographed upright and centred, and a mirrored
 * garment is the same garment.
 */
export const AUGMENTATION_PRESETS = {
  mnist: { shift: 2, rotate: 12, scale: 0.1, flip: false },
  'fashion-mnist': { shift: 1, rotate: 0, scale: 0.05, flip: true },
  none: { shift: 0, rotate: 0, scale: 0, flip: false },
} as const satisfies Record<string, AffineOptions>;

/** Names of the augmentation presets. */
export type AugmentationPreset = keyof typeof AUGMENTATION_PRESETS;

/** Every preset's name. */
export const AUGMENTATION_NAMES = Object.keys(AUGMENTATION_PRESETS) as AugmentationPreset[];

/** `name` as a preset name; anything else (nothing given, say) is the digits' preset. */
export function augmentationPreset(name: unknown): AugmentationPreset {
  return AUGMENTATION_NAMES.find((n) => n === name) ?? 'mnist';
}

/**
 * Every image (N × height × width, 0–255) rotated, scaled and shifted about its centre by its
 * own random amounts, sampled bilinearly with zeros outside.
 *
 * @example
 * const moved = affineImages(pixels, count, 28, 28, { shift: 2, rotate: 10, scale: 0.1 }, rng);
 */
export function affineImages(
  pixels: Uint8Array,
  count: number,
  height: number,
  width: number,
  options: AffineOptions,
  rng: Rng,
): Uint8Array {
  const out = new Uint8Array(pixels.length);
  const size = height * width;
  for (let n = 0; n < count; n++) {
    const transform: Transform = {
      angle: ((2 * rng.next() - 1) * options.rotate * Math.PI) / 180,
      zoom: 1 + (2 * rng.next() - 1) * options.scale,
      dy: (2 * rng.next() - 1) * options.shift,
      dx: (2 * rng.next() - 1) * options.shift,
      // drawn only when flipping, so runs without it keep their random sequence
      mirror: options.flip && rng.next() < 0.5,
    };
    transformImage(pixels, out, n * size, height, width, transform);
  }
  return out;
}

/**
 * The views of a test image that training with `options` also produces, the image itself
 * first: its one-pixel shifts up, down, left and right when `options.shift` ≥ 1, and its
 * mirror image when `options.flip`. Each view is an exact copy of pixels, never interpolated.
 *
 * @example
 * testViews(AUGMENTATION_PRESETS['fashion-mnist']).length; // 6: itself, 4 shifts, mirror
 */
export function testViews(options: AffineOptions): Transform[] {
  const still = { angle: 0, zoom: 1, dy: 0, dx: 0 };
  const views: Transform[] = [still];
  if (options.shift >= 1) {
    for (const [dy, dx] of [
      [-1, 0],
      [1, 0],
      [0, -1],
      [0, 1],
    ])
      views.push({ ...still, dy, dx });
  }
  if (options.flip) views.push({ ...still, mirror: true });
  return views;
}

/** Every image (N × height × width) moved by the same transform. */
export function moveImages(
  pixels: Uint8Array,
  count: number,
  height: number,
  width: number,
  t: Transform,
): Uint8Array {
  const out = new Uint8Array(pixels.length);
  for (let n = 0; n < count; n++) transformImage(pixels, out, n * height * width, height, width, t);
  return out;
}

/**
 * One affine move: rotation (radians, clockwise as displayed), zoom factor, shift (pixels) and
 * an optional left-right mirror of the source.
 */
export interface Transform {
  angle: number;
  zoom: number;
  dy: number;
  dx: number;
  mirror?: boolean;
}

/** Writes image `base` of `pixels`, moved by `t` about its centre, into `out`. */
export function transformImage(
  pixels: Uint8Array,
  out: Uint8Array,
  base: number,
  height: number,
  width: number,
  t: Transform,
): void {
  const cy = (height - 1) / 2;
  const cx = (width - 1) / 2;
  // inverse map: for each output pixel, where it comes from in the source image
  const cos = Math.cos(t.angle) / t.zoom;
  const sin = Math.sin(t.angle) / t.zoom;
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const y = r - cy - t.dy;
      const x = c - cx - t.dx;
      const sy = cos * y - sin * x + cy;
      const moved = sin * y + cos * x + cx;
      const sx = t.mirror === true ? width - 1 - moved : moved;
      out[base + r * width + c] = bilinear(pixels, base, height, width, sy, sx);
    }
  }
}

function bilinear(
  pixels: Uint8Array,
  base: number,
  height: number,
  width: number,
  y: number,
  x: number,
): number {
  const y0 = Math.floor(y);
  const x0 = Math.floor(x);
  const fy = y - y0;
  const fx = x - x0;
  const at = (r: number, c: number): number =>
    r >= 0 && r < height && c >= 0 && c < width ? pixels[base + r * width + c] : 0;
  const top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx;
  const bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx;
  return Math.round(top * (1 - fy) + bottom * fy);
}
