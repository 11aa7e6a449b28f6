import type { Migration } from './types';
import { initial } from './0001_initial';

export type { Migration } from './types';

/** Every migration in version order; the newest version is the schema this code expects. */
export const migrations: readonly Migration[] = [initial];

export const latestVersion = migrations.at(-1)?.version ?? 0;
