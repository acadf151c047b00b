/**
 * The in-memory form of an image dataset: grayscale images of one size, with a label each.
 */

/** A set of grayscale images with their labels. */
export interface ImageSet {
  /** `count × height × width` pixels, row-major, 0–255. */
  readonly images: Uint8Array;
  /** One label per image, 0–255. */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
}

/** A dataset with its official (or seeded) train/test split. */
export interface Dataset {
  readonly name: DatasetName;
  readonly train: ImageSet;
  readonly test: ImageSet;
  /** Human-readable class names, indexed by label. */
  readonly classNames: readonly string[];
}

/** The datasets semipriv ships loaders for. */
export type DatasetName = 'mnist' | 'fashion-mnist';
