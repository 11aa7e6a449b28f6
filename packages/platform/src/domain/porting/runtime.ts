import type { PortingCarrier } from './carrier';

/** What the porting routes need besides the store: where documents live and the carrier (each tenant's storage limit is in its limits). */
export interface PortingRuntime {
  dataDir: string;
  /** Undefined when no carrier API is configured: reviewers drive orders through the approval routes. */
  carrier: PortingCarrier | undefined;
  log(line: string): void;
}
