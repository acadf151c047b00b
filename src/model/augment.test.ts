import { describe, expect, it } from 'vitest';
import { createRng } from '../random.js';
import {
  AUGMENTATION_PRESETS,
  affineImages,
  augmentationPreset,
  moveImages,
  testViews,
  transformImage,
} from './augment.js';

function moved(pixels: Uint8Array, side: number, t: Parameters<typeof transformImage>[5]) {
  const out = new Uint8Array(pixels.length);
  transformImage(pixels, out, 0, side, side, t);
  return out;
}

describe('affine augmentation', () => {
  it('leaves images unchanged when every range is zero', () => {
    const pixels = Uint8Array.from({ length: 2 * 25 }, (_, i) => i);
    const out = affineImages(
      pixels,
      2,
      5,
      5,
      { shift: 0, rotate: 0, scale: 0, flip: false },
      createRng(0),
    );
    expect(Array.from(out)).toEqual(Array.from(pixels));
  });

  it('shifts by whole pixels exactly, with zeros shifted in', () => {
    const pixels = new Uint8Array(25);
    pixels[2 * 5 + 2] = 200; // centre of a 5×5 image
    const out = moved(pixels, 5, { angle: 0, zoom: 1, dy: 1, dx: -2 });
    expect(out[3 * 5 + 0]).toBe(200);
    expect(out.reduce((a, b) => a + b, 0)).toBe(200);
  });

  it('rotates a quarter turn: the top-middle pixel goes to the right-middle', () => {
    // a positive angle turns the picture clockwise as displayed: (0, 2) goes to (2, 4)
    const pixels = new Uint8Array(25);
    pixels[0 * 5 + 2] = 100;
    const out = moved(pixels, 5, { angle: Math.PI / 2, zoom: 1, dy: 0, dx: 0 });
    expect(out[2 * 5 + 4]).toBe(100);
    expect(out.reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('zooms about the centre: ×2 moves an off-centre pixel twice as far out', () => {
    const pixels = new Uint8Array(81);
    pixels[4 * 9 + 5] = 80; // one right of the centre of a 9×9 image
    const out = moved(pixels, 9, { angle: 0, zoom: 2, dy: 0, dx: 0 });
    expect(out[4 * 9 + 6]).toBe(80);
  });

  it('splits a half-pixel shift evenly between two neighbours', () => {
    const pixels = new Uint8Array(25);
    pixels[2 * 5 + 2] = 200;
    const out = moved(pixels, 5, { angle: 0, zoom: 1, dy: 0, dx: 0.5 });
    expect([out[2 * 5 + 2], out[2 * 5 + 3]]).toEqual([100, 100]);
  });

  it('mirrors left to right: column 0 goes to column 4, column 1 to column 3', () => {
    const pixels = new Uint8Array(25);
    pixels[1 * 5 + 0] = 60; // row 1, column 0
    pixels[3 * 5 + 1] = 90;
    const out = moved(pixels, 5, { angle: 0, zoom: 1, dy: 0, dx: 0, mirror: true });
    expect(out[1 * 5 + 4]).toBe(60);
    expect(out[3 * 5 + 3]).toBe(90);
    expect(out.reduce((a, b) => a + b, 0)).toBe(150);
  });

  it('flips about half the images when asked, and none otherwise', () => {
    // an asymmetric image: one bright pixel in the left column
    const count = 400;
    const pixels = new Uint8Array(count * 25);
    for (let n = 0; n < count; n++) pixels[n * 25 + 2 * 5] = 255;
    const flipped = (flip: boolean): number => {
      const out = affineImages(
        pixels,
        count,
        5,
        5,
        { shift: 0, rotate: 0, scale: 0, flip },
        createRng(3),
      );
      let n = 0;
      for (let i = 0; i < count; i++) if (out[i * 25 + 2 * 5 + 4] === 255) n++;
      return n;
    };
    expect(flipped(false)).toBe(0);
    expect(flipped(true)).toBeGreaterThan(160);
    expect(flipped(true)).toBeLessThan(240);
  });

  it('mirrors garments but never digits, and rotates digits but never garments', () => {
    expect(AUGMENTATION_PRESETS[augmentationPreset('fashion-mnist')]).toMatchObject({
      flip: true,
      rotate: 0,
    });
    expect(AUGMENTATION_PRESETS[augmentationPreset('mnist')].flip).toBe(false);
    expect(AUGMENTATION_PRESETS[augmentationPreset('mnist')].rotate).toBeGreaterThan(0);
    expect(augmentationPreset(undefined)).toBe('mnist');
    expect(augmentationPreset('none')).toBe('none');
  });
});

describe('test views', () => {
  it('adds four one-pixel shifts when training shifts, and the mirror when it mirrors', () => {
    expect(testViews(AUGMENTATION_PRESETS.none)).toHaveLength(1);
    expect(testViews(AUGMENTATION_PRESETS.mnist)).toHaveLength(5);
    const fashion = testViews(AUGMENTATION_PRESETS['fashion-mnist']);
    expect(fashion).toHaveLength(6);
    expect(fashion.filter((v) => v.mirror === true)).toHaveLength(1);
    expect(fashion.map((v) => Math.abs(v.dx) + Math.abs(v.dy))).toEqual([0, 1, 1, 1, 1, 0]);
  });

  it('moves every image by the same view, exactly', () => {
    // two 3×3 images with one lit pixel each, at (0, 0) and (1, 2)
    const pixels = new Uint8Array(18);
    pixels[0] = 10;
    pixels[9 + 1 * 3 + 2] = 20;
    const down = moveImages(pixels, 2, 3, 3, { angle: 0, zoom: 1, dy: 1, dx: 0 });
    expect(down[1 * 3 + 0]).toBe(10);
    expect(down[9 + 2 * 3 + 2]).toBe(20);
    const mirrored = moveImages(pixels, 2, 3, 3, { angle: 0, zoom: 1, dy: 0, dx: 0, mirror: true });
    expect(mirrored[2]).toBe(10);
    expect(mirrored[9 + 1 * 3 + 0]).toBe(20);
    expect(mirrored.reduce((a, b) => a + b, 0)).toBe(30);
  });
});
