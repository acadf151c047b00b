import { describe, expect, it } from 'vitest';
import { createRng } from '../random.js';
import { affineImages, transformImage } from './augment.js';

function moved(pixels: Uint8Array, side: number, t: Parameters<typeof transformImage>[5]) {
  const out = new Uint8Array(pixels.length);
  transformImage(pixels, out, 0, side, side, t);
  return out;
}

describe('affine augmentation', () => {
  it('leaves images unchanged when every range is zero', () => {
    const pixels = Uint8Array.from({ length: 2 * 25 }, (_, i) => i);
    const out = affineImages(pixels, 2, 5, 5, { shift: 0, rotate: 0, scale: 0 }, createRng(0));
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
});
