import type { PortingCarrier } from './carrier';

/** What the porting routes need besides the store: where documents live and the carrier (each tenant's storage limit is in its limits). */
export interface PortingRuntime {
  dataDir: string;
  carrier: PortingCarrier;
  log(line: string): void;
}
