import type { Highrise } from '../client';

/** Base of every resource: a thin view over the client that builds paths and delegates. */
export abstract class APIResource {
  protected readonly client: Highrise;

  constructor(client: Highrise) {
    this.client = client;
  }
}
