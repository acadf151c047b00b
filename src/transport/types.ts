/**
 * What the server sees of a client, whatever carries the messages: the same calls run
 * in-process, across worker threads and over HTTP.
 */
import type { Scores } from '../model/bibae.js';

/** A batch of probe images sent to clients for scoring. */
export interface ProbeBatch {
  /** `count × height × width` pixels, row-major, 0–255. */
  readonly images: Uint8Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
}

/** Public facts about a client: never weights or images. */
export interface ClientInfo {
  /** The class this client holds. */
  readonly label: number;
  readonly height: number;
  readonly width: number;
  /** SHA-256 over the client's weights, to tell models apart without revealing them. */
  readonly fingerprint: string;
  /**
   * Mean and standard deviation of ln(reconstruction error) over the client's own training
   * images: two numbers that let a server compare errors across clients without any image.
   */
  readonly errorStats: { readonly mean: number; readonly std: number };
}

/** A client as the server reaches it. */
export interface ClientEndpoint {
  /** The class this client holds. */
  readonly label: number;
  /** The client's public facts. */
  info(): Promise<ClientInfo>;
  /** The two scores of every probe. */
  score(probes: ProbeBatch): Promise<Scores>;
  /** Releases the connection or worker (not the client's model on its owner's side). */
  close?(): Promise<void>;
}
