import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeIdx } from './idx.js';
import { decodeImage, encodePng, readImages, siblingLabels } from './image-files.js';

const SHAPE = { height: 28, width: 28 };

/** A 28×28 image whose pixel i is (i + seed) mod 256. */
function ramp(seed = 0, size = 784): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i + seed) % 256);
}

async function rgbaPng(width: number, height: number, rgba: number[]): Promise<Uint8Array> {
  const data = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set(rgba, 4 * i);
  return sharp(data, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}

describe('decodeImage', () => {
  it('reads back exactly the pixels encodePng wrote', async () => {
    const png = await encodePng(ramp(5), 28, 28);
    expect(Array.from(await decodeImage(png, { shape: SHAPE, name: 'x' }))).toEqual(
      Array.from(ramp(5)),
    );
  });

  it('converts colour to gray and transparency to black', async () => {
    const white = await decodeImage(await rgbaPng(28, 28, [255, 255, 255, 255]), {
      shape: SHAPE,
      name: 'w',
    });
    const clear = await decodeImage(await rgbaPng(28, 28, [255, 255, 255, 0]), {
      shape: SHAPE,
      name: 'c',
    });
    expect(new Set(white)).toEqual(new Set([255]));
    expect(new Set(clear)).toEqual(new Set([0]));
  });

  it('refuses another size with SP_SHAPE, naming the file and both sizes', async () => {
    const png = await rgbaPng(32, 30, [0, 0, 0, 255]);
    await expect(decodeImage(png, { shape: SHAPE, name: 'big.png' })).rejects.toMatchObject({
      code: 'SP_SHAPE',
      message: 'big.png: expected 28×28 pixels (width×height), received 32×30',
    });
  });

  it('resizes another size when asked, keeping the aspect with black borders', async () => {
    // a white 56×28 image fits as 28×14 in the middle: rows 7–20 white, the rest black
    const png = await rgbaPng(56, 28, [255, 255, 255, 255]);
    const pixels = await decodeImage(png, { shape: SHAPE, name: 'wide.png', resize: true });
    expect(pixels[0]).toBe(0);
    expect(pixels[14 * 28 + 14]).toBe(255);
    expect(pixels[27 * 28 + 14]).toBe(0);
  });

  it('refuses bytes that are no image, and formats not accepted', async () => {
    await expect(
      decodeImage(Uint8Array.of(1, 2, 3), { shape: SHAPE, name: 'junk' }),
    ).rejects.toMatchObject({ code: 'SP_IMAGE_INVALID' });
    const jpeg = await sharp(Buffer.from(ramp()), { raw: { width: 28, height: 28, channels: 1 } })
      .jpeg()
      .toBuffer();
    await expect(
      decodeImage(jpeg, { shape: SHAPE, name: 'body', formats: ['png'] }),
    ).rejects.toThrow('body: expected a png image, received jpeg');
    expect(await decodeImage(jpeg, { shape: SHAPE, name: 'j.jpg' })).toHaveLength(784);
  });
});

describe('readImages', () => {
  it('reads a folder recursively in path order, labels from subfolder names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'semipriv-images-'));
    await mkdir(join(dir, '1'));
    await mkdir(join(dir, '0'));
    await writeFile(join(dir, '1', 'a.png'), await encodePng(ramp(1), 28, 28));
    await writeFile(join(dir, '0', 'b.png'), await encodePng(ramp(2), 28, 28));
    await writeFile(join(dir, '0', 'a.png'), await encodePng(ramp(3), 28, 28));
    await writeFile(join(dir, '0', 'notes.txt'), 'ignored');

    const set = await readImages(dir, { labels: true });
    expect(set.count).toBe(3);
    expect(Array.from(set.labels)).toEqual([0, 0, 1]);
    // 0/a.png, 0/b.png, 1/a.png: first pixels 3, 2, 1
    expect([set.images[0], set.images[784], set.images[1568]]).toEqual([3, 2, 1]);
  });

  it('refuses labelled images outside a label subfolder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'semipriv-images-'));
    await writeFile(join(dir, 'a.png'), await encodePng(ramp(), 28, 28));
    await expect(readImages(dir, { labels: true })).rejects.toThrow(
      'expected labelled images in subfolders named by label',
    );
    expect((await readImages(dir)).count).toBe(1);
  });

  it('reads a single PNG file as a set of one image, but not as labelled images', async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'semipriv-images-')), 'probe.png');
    await writeFile(file, await encodePng(ramp(9), 28, 28));
    const one = await readImages(file);
    expect(one.count).toBe(1);
    expect(one.images).toEqual(ramp(9));
    await expect(readImages(file, { labels: true })).rejects.toThrow(
      'expected labelled images as a folder with one subfolder per label',
    );
  });

  it("refuses the labelled layout where one class is expected, except that class's folder", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'semipriv-images-'));
    for (const label of ['3', '10']) {
      await mkdir(join(dir, label));
      await writeFile(join(dir, label, 'a.png'), await encodePng(ramp(1), 28, 28));
    }
    await expect(readImages(dir, { flag: '--images', oneClass: 3 })).rejects.toMatchObject({
      code: 'SP_OPTION',
      message: `--images ${dir}: expected the images of one class, received subfolders 3, 10 (one per label)`,
    });
    expect((await readImages(dir)).count).toBe(2);
    // one class's own folder, and a parent holding only that class's subfolder, are one class
    expect((await readImages(join(dir, '3'), { oneClass: 5 })).count).toBe(1);
    await rm(join(dir, '10'), { recursive: true });
    expect((await readImages(dir, { oneClass: 3 })).count).toBe(1);
    // another class's subfolder, or images beside it, are not
    await expect(readImages(dir, { oneClass: 5 })).rejects.toThrow(
      'received them in subfolder 3, the folder of class 3, with --label 5',
    );
    await writeFile(join(dir, 'b.png'), await encodePng(ramp(2), 28, 28));
    await expect(readImages(dir, { oneClass: 3 })).rejects.toThrow(
      'received images beside a subfolder named by label (3)',
    );
  });

  it('reads an IDX image file alone, or with its sibling label file', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'semipriv-images-'));
    const images = join(dir, 'probe-images-idx3-ubyte');
    await writeFile(images, encodeIdx([2, 4, 4], ramp(0, 32)));
    await writeFile(join(dir, 'probe-labels-idx1-ubyte'), encodeIdx([2], Uint8Array.of(7, 9)));
    const plain = await readImages(images);
    expect([plain.count, plain.height, plain.width]).toEqual([2, 4, 4]);
    expect(Array.from(plain.labels)).toEqual([0, 0]);
    expect(Array.from((await readImages(images, { labels: true })).labels)).toEqual([7, 9]);
  });

  it('names the flag of a missing path, and refuses a file that is no image format', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'semipriv-images-'));
    await expect(readImages(join(dir, 'none'), { flag: '--images' })).rejects.toMatchObject({
      code: 'SP_FILE',
      message: `--images ${join(dir, 'none')}: no such file or folder`,
    });
    const text = join(dir, 'notes.txt');
    await writeFile(text, 'abc');
    await expect(readImages(text, { flag: '--images' })).rejects.toMatchObject({
      code: 'SP_IMAGE_INVALID',
      message: expect.stringContaining(`--images ${text}: expected an IDX image file`),
    });
    // an IDX file cut short, even inside its magic, is still reported as a damaged IDX file
    for (const length of [3, 10]) {
      const cut = join(dir, `cut-${length}`);
      await writeFile(cut, encodeIdx([2, 4, 4], ramp(0, 32)).subarray(0, length));
      await expect(readImages(cut)).rejects.toMatchObject({ code: 'SP_IDX_TRUNCATED' });
    }
  });

  it('names the conventional label file, or asks for one', () => {
    expect(siblingLabels('/d/train-images-idx3-ubyte.gz')).toBe('/d/train-labels-idx1-ubyte.gz');
    expect(() => siblingLabels('/d/probes.idx')).toThrow('pass it with --labeled-labels');
  });
});
