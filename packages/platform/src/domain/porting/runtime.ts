import type { PortingCarrier } from './carrier';

/** What the porting routes need besides the store: where documents live, how much a tenant may keep, and the carrier. */
export interface PortingRuntime {
  dataDir: string;
  storageLimitBytes: number;
  carrier: PortingCarrier;
  log(line: string): void;
}
