/**
 * The in-process transport: the server calls a client object in the same thread.
 */
import type { Client } from '../client/client.js';
import type { Scores } from '../model/bibae.js';
import type { ClientEndpoint, ClientInfo, ProbeBatch } from './types.js';

/**
 * A {@link ClientEndpoint} that calls `client` directly.
 *
 * @example
 * const server = new Server(clients.map((c) => new InProcessEndpoint(c)));
 */
export class InProcessEndpoint implements ClientEndpoint {
  readonly label: number;
  private readonly client: Client;

  constructor(client: Client) {
    this.client = client;
    this.label = client.label;
  }

  async info(): Promise<ClientInfo> {
    return this.client.info();
  }

  async score(probes: ProbeBatch): Promise<Scores> {
    return this.client.score(probes);
  }
}
