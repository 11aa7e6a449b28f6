/** One schema step. `down` must undo `up` exactly, so any release can be rolled back. */
export interface Migration {
  version: number;
  name: string;
  up: string;
  down: string;
}
