/**
 * The bounded-information-bottleneck autoencoder (BIB-AE) each client trains on its own images:
 * a Gaussian encoder q(z|x), a decoder p(x|z), a latent discriminator that tells encoder codes
 * from prior samples, and an image discriminator that tells real images from reconstructions.
 * Read top to bottom: options, the four networks, the loss, one training step, scoring.
 */
import { tf, type Tensor, type Tensor2D, type Tensor4D, type Variable } from '../engine/tf.js';
import type { Rng } from '../random.js';
import { ParamStore, type WeightEntry } from './params.js';

/** Weights of the four terms of the BIB-AE objective. */
export interface BibAeLossWeights {
  /** (A) KL divergence of q(z|x) to the N(0, I) prior, summed over latent dimensions. */
  kl: number;
  /** (B) adversarial latent term: the encoder fools the latent discriminator. */
  latentAdversarial: number;
  /** (C) reconstruction term: squared error summed over pixels. */
  reconstruction: number;
  /** (D) adversarial image term: reconstructions fool the image discriminator. */
  imageAdversarial: number;
}

/** Architecture and optimiser settings of a BIB-AE. */
export interface BibAeOptions {
  /** Image height in pixels; a multiple of 4. */
  height: number;
  /** Image width in pixels; a multiple of 4. */
  width: number;
  /** Size of the latent code z. */
  latentDim: number;
  /** Channels of the two stride-2 convolutions (the decoder mirrors them). */
  convChannels: [number, number];
  /** Hidden width of the latent discriminator. */
  latentHidden: number;
  /** Adam learning rate of the encoder and decoder. */
  learningRate: number;
  /** Adam learning rate of both discriminators. */
  discriminatorLearningRate: number;
  /** Weights of the loss terms. */
  lossWeights: BibAeLossWeights;
}

/** Defaults for 28×28 grayscale images. */
export const DEFAULT_BIBAE_OPTIONS: BibAeOptions = {
  height: 28,
  width: 28,
  latentDim: 128,
  convChannels: [32, 64],
  latentHidden: 256,
  learningRate: 1e-3,
  discriminatorLearningRate: 2e-4,
  lossWeights: { kl: 1, latentAdversarial: 1, reconstruction: 1, imageAdversarial: 1 },
};

/** Loss values of one training step, averaged over the batch. */
export interface BibAeLosses {
  kl: number;
  latentAdversarial: number;
  reconstruction: number;
  imageAdversarial: number;
  /** Sum of both discriminators' cross-entropy losses. */
  discriminator: number;
}

/** The two scores a client shares for each probe image. */
export interface Scores {
  /** Mean squared error between probe and reconstruction, per pixel, pixels in [0, 1]. */
  reconstructionError: Float32Array;
  /** Image discriminator's probability that the reconstruction is a real image. */
  discriminatorScore: Float32Array;
}

const LEAK = 0.2;

/**
 * A BIB-AE with its four networks and two Adam optimisers.
 *
 * @example
 * const model = new BibAe(DEFAULT_BIBAE_OPTIONS, createRng(0));
 * const losses = model.trainStep(batch, rng); // batch: [B, 28, 28, 1] in [0, 1]
 * const { reconstructionError } = model.score(probes);
 */
export class BibAe {
  readonly options: BibAeOptions;
  readonly encoder = new ParamStore('encoder');
  readonly decoder = new ParamStore('decoder');
  readonly imageDiscriminator = new ParamStore('imageDiscriminator');
  readonly latentDiscriminator = new ParamStore('latentDiscriminator');
  private readonly aeOptimizer: tf.AdamOptimizer;
  private readonly discOptimizer: tf.AdamOptimizer;

  constructor(options: BibAeOptions, rng: Rng) {
    this.options = options;
    const { height, width, latentDim, latentHidden } = options;
    const [c1, c2] = options.convChannels;
    const flat = (height / 4) * (width / 4) * c2;

    // encoder: two stride-2 convolutions, then mean and log-variance of q(z|x)
    convParams(this.encoder, 'conv1', 1, c1, rng);
    convParams(this.encoder, 'conv2', c1, c2, rng);
    denseParams(this.encoder, 'mean', flat, latentDim, rng);
    denseParams(this.encoder, 'logVar', flat, latentDim, rng, 0.1);

    // decoder: the encoder mirrored with transposed convolutions
    denseParams(this.decoder, 'dense', latentDim, flat, rng);
    convParams(this.decoder, 'deconv1', c1, c2, rng);
    convParams(this.decoder, 'deconv2', 1, c1, rng);

    // image discriminator: the encoder's shape, one logit out
    convParams(this.imageDiscriminator, 'conv1', 1, c1, rng);
    convParams(this.imageDiscriminator, 'conv2', c1, c2, rng);
    denseParams(this.imageDiscriminator, 'out', flat, 1, rng);

    // latent discriminator: a two-hidden-layer perceptron on z
    denseParams(this.latentDiscriminator, 'hidden1', latentDim, latentHidden, rng);
    denseParams(this.latentDiscriminator, 'hidden2', latentHidden, latentHidden, rng);
    denseParams(this.latentDiscriminator, 'out', latentHidden, 1, rng);

    // beta1 = 0.5 is the usual choice for adversarial training
    this.aeOptimizer = tf.train.adam(options.learningRate, 0.5, 0.999);
    this.discOptimizer = tf.train.adam(options.discriminatorLearningRate, 0.5, 0.999);
  }

  /** q(z|x): mean and log-variance, each [B, latentDim]. */
  encode(x: Tensor4D): { mean: Tensor2D; logVar: Tensor2D } {
    const p = this.encoder;
    let h = tf.leakyRelu(conv(x, p, 'conv1'), LEAK);
    h = tf.leakyRelu(conv(h, p, 'conv2'), LEAK);
    const flat = tf.reshape(h, [x.shape[0], -1]) as Tensor2D;
    return { mean: dense(flat, p, 'mean'), logVar: dense(flat, p, 'logVar') };
  }

  /** p(x|z): pixel means in [0, 1], [B, height, width, 1]. */
  decode(z: Tensor2D): Tensor4D {
    const p = this.decoder;
    const { height, width } = this.options;
    const [c1, c2] = this.options.convChannels;
    const batch = z.shape[0];
    let h: Tensor4D = tf.reshape(tf.relu(dense(z, p, 'dense')), [batch, height / 4, width / 4, c2]);
    h = tf.relu(deconv(h, p, 'deconv1', [batch, height / 2, width / 2, c1]));
    return tf.sigmoid(deconv(h, p, 'deconv2', [batch, height, width, 1]));
  }

  /** Image discriminator logits, [B, 1]: high for real images. */
  imageLogits(x: Tensor4D): Tensor2D {
    const p = this.imageDiscriminator;
    let h = tf.leakyRelu(conv(x, p, 'conv1'), LEAK);
    h = tf.leakyRelu(conv(h, p, 'conv2'), LEAK);
    return dense(tf.reshape(h, [x.shape[0], -1]) as Tensor2D, p, 'out');
  }

  /** Latent discriminator logits, [B, 1]: high for samples of the prior. */
  latentLogits(z: Tensor2D): Tensor2D {
    const p = this.latentDiscriminator;
    let h = tf.leakyRelu(dense(z, p, 'hidden1'), LEAK);
    h = tf.leakyRelu(dense(h, p, 'hidden2'), LEAK);
    return dense(h, p, 'out');
  }

  /**
   * One step on a batch of images in [0, 1]: first both discriminators, then encoder and
   * decoder. Equation (5) of the paper, read literally, would maximise term B; as in adversarial
   * autoencoders, the encoder instead learns to make its codes indistinguishable from prior
   * samples, and likewise the decoder for term D. The loss the encoder and decoder minimise is
   *   wA·A + wB·B + wC·C + wD·D, with
   *   A = KL(q(z|x) ‖ N(0, I)),      B = −log Dz(z), z ~ q(z|x)
   *   C = Σ_pixels (x − x̂)²,         D = −log Dx(x̂)
   * all averaged over the batch.
   */
  trainStep(x: Tensor4D, rng: Rng): BibAeLosses {
    const batch = x.shape[0];
    const { latentDim, lossWeights: w } = this.options;

    // reparameterised codes and reconstructions, held fixed for the discriminator step
    const noise: Tensor2D = tf.randomNormal([batch, latentDim], 0, 1, 'float32', rng.uint32());
    const prior: Tensor2D = tf.randomNormal([batch, latentDim], 0, 1, 'float32', rng.uint32());
    const zFixed = tf.tidy(() => {
      const { mean, logVar } = this.encode(x);
      return tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), noise)) as Tensor2D;
    });
    const xHatFixed = tf.tidy(() => this.decode(zFixed));

    // discriminators: real images vs reconstructions, prior samples vs codes
    const discVars = [...this.imageDiscriminator.list(), ...this.latentDiscriminator.list()];
    const discLoss = this.discOptimizer.minimize(
      () =>
        tf.addN([
          tf.mean(tf.softplus(tf.neg(this.imageLogits(x)))),
          tf.mean(tf.softplus(this.imageLogits(xHatFixed))),
          tf.mean(tf.softplus(tf.neg(this.latentLogits(prior)))),
          tf.mean(tf.softplus(this.latentLogits(zFixed))),
        ]) as tf.Scalar,
      true,
      discVars,
    ) as tf.Scalar;
    zFixed.dispose();
    xHatFixed.dispose();

    // encoder and decoder: the four weighted terms, kept to report them
    let terms: Tensor | null = null;
    const aeVars = [...this.encoder.list(), ...this.decoder.list()];
    this.aeOptimizer.minimize(
      () => {
        const { mean, logVar } = this.encode(x);
        const z = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), noise)) as Tensor2D;
        const xHat = this.decode(z);
        const klPerImage = tf.sum(
          tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), tf.add(logVar, 1)),
          1,
        );
        const kl = tf.mul(0.5, tf.mean(klPerImage));
        const lat = tf.mean(tf.softplus(tf.neg(this.latentLogits(z))));
        const rec = tf.mean(tf.sum(tf.reshape(tf.squaredDifference(x, xHat), [batch, -1]), 1));
        const img = tf.mean(tf.softplus(tf.neg(this.imageLogits(xHat))));
        terms = tf.keep(tf.stack([kl, lat, rec, img]));
        return tf.addN([
          tf.mul(w.kl, kl),
          tf.mul(w.latentAdversarial, lat),
          tf.mul(w.reconstruction, rec),
          tf.mul(w.imageAdversarial, img),
        ]) as tf.Scalar;
      },
      false,
      aeVars,
    );
    noise.dispose();
    prior.dispose();

    // read the losses back once, as one small transfer
    const values = (terms as Tensor | null)?.dataSync() ?? new Float32Array(4);
    const discValue = discLoss.dataSync()[0];
    (terms as Tensor | null)?.dispose();
    discLoss.dispose();
    return {
      kl: values[0],
      latentAdversarial: values[1],
      reconstruction: values[2],
      imageAdversarial: values[3],
      discriminator: discValue,
    };
  }

  /**
   * The two scores for each probe. Scoring uses the posterior mean, not a sample, so a probe
   * always gets the same scores. `x`: [N, height, width, 1] in [0, 1].
   */
  score(x: Tensor4D, batchSize = 256): Scores {
    const n = x.shape[0];
    const reconstructionError = new Float32Array(n);
    const discriminatorScore = new Float32Array(n);
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      const [err, disc] = tf.tidy(() => {
        const xb = tf.slice(x, [start, 0, 0, 0], [size, -1, -1, -1]);
        const xHat = this.decode(this.encode(xb).mean);
        const e = tf.mean(tf.reshape(tf.squaredDifference(xb, xHat), [size, -1]), 1);
        const d = tf.reshape(tf.sigmoid(this.imageLogits(xHat)), [size]);
        return [e, d];
      });
      reconstructionError.set(err.dataSync(), start);
      discriminatorScore.set(disc.dataSync(), start);
      err.dispose();
      disc.dispose();
    }
    return { reconstructionError, discriminatorScore };
  }

  /** Every network's weights, for saving. */
  exportWeights(): WeightEntry[] {
    return this.stores().flatMap((s) => s.export());
  }

  /** Loads weights saved by {@link exportWeights}. */
  importWeights(entries: readonly WeightEntry[]): void {
    for (const s of this.stores()) s.import(entries);
  }

  /** Frees every tensor this model holds, optimiser state included. */
  dispose(): void {
    for (const s of this.stores()) s.dispose();
    this.aeOptimizer.dispose();
    this.discOptimizer.dispose();
  }

  private stores(): ParamStore[] {
    return [this.encoder, this.decoder, this.imageDiscriminator, this.latentDiscriminator];
  }
}

// layer helpers: 4×4 kernels, stride 2, 'same' padding throughout

const KERNEL = 4;

function convParams(p: ParamStore, name: string, inC: number, outC: number, rng: Rng): void {
  // conv2dTranspose filters are [h, w, out, in]; both share fan-in inC·16 for the init scale
  p.uniform(`${name}/kernel`, [KERNEL, KERNEL, inC, outC], Math.sqrt(6 / (inC * 16)), rng);
  p.zeros(`${name}/bias`, [name.startsWith('deconv') ? inC : outC]);
}

function denseParams(
  p: ParamStore,
  name: string,
  inDim: number,
  outDim: number,
  rng: Rng,
  scale = 1,
): void {
  p.uniform(`${name}/kernel`, [inDim, outDim], scale * Math.sqrt(6 / (inDim + outDim)), rng);
  p.zeros(`${name}/bias`, [outDim]);
}

function conv(x: Tensor4D, p: ParamStore, name: string): Tensor4D {
  return tf.add(tf.conv2d(x, kernel(p, name), 2, 'same'), p.get(`${name}/bias`));
}

function deconv(
  x: Tensor4D,
  p: ParamStore,
  name: string,
  outShape: [number, number, number, number],
): Tensor4D {
  const filter = kernel(p, name);
  return tf.add(tf.conv2dTranspose(x, filter, outShape, 2, 'same'), p.get(`${name}/bias`));
}

function dense(x: Tensor2D, p: ParamStore, name: string): Tensor2D {
  return tf.add(tf.matMul(x, p.get(`${name}/kernel`)), p.get(`${name}/bias`));
}

function kernel(p: ParamStore, name: string): Tensor4D {
  return p.get(`${name}/kernel`) as Variable as unknown as Tensor4D;
}
