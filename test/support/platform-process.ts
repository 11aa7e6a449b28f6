/**
 * A platform node in a process of its own (the built platform, test/support/platform-node.mjs), so a
 * test can do to it what happens to a real node: SIGKILL (it dies), SIGSTOP (it hangs: its socket
 * still accepts connections, nothing answers) and SIGCONT. Each process gets a data directory of its
 * own: two nodes sharing one raced to create the audit key file there.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PlatformOptions } from '@highrise/platform';

const script = join(import.meta.dirname, 'platform-node.mjs');
const built = join(import.meta.dirname, '..', '..', 'packages', 'platform', 'dist', 'index.js');

export interface PlatformProcess {
  readonly url: string;
  readonly pid: number;
  /** What the process printed so far (its log lines, stderr included). */
  log(): string;
  /** SIGKILL; resolves once it exited. */
  kill(): Promise<void>;
  /** SIGSTOP: the node hangs (connections are still accepted by the kernel). */
  pause(): void;
  /** SIGCONT. */
  resume(): void;
  /** SIGTERM (SIGKILL after 5 s), then its data directory is removed. */
  stop(): Promise<void>;
}

/** `options` go to startPlatform (JSON: plain values only); port and dataDir are set here. */
export async function startPlatformProcess(name: string, options: Omit<PlatformOptions, 'port' | 'dataDir' | 'log'>): Promise<PlatformProcess> {
  if (!existsSync(built)) throw new Error('the platform process runs the built platform: npm run build');
  const dataDir = await mkdtemp(join(tmpdir(), `highrise-${name}-`));
  const child = spawn(process.execPath, [script, JSON.stringify({ ...options, dataDir })], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;

  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const started = /^url=(\S+) pid=\d+$/m.exec(output);
        if (started) resolve(started[1]!);
      });
      child.once('exit', (code, signal) => reject(new Error(`platform process ${name} exited (${code ?? signal}) before listening:\n${output}`)));
    });
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }

  return {
    url,
    pid: child.pid!,
    log: () => output,
    async kill() {
      if (!alive()) return;
      child.kill('SIGKILL');
      await exited;
    },
    pause: () => void child.kill('SIGSTOP'),
    resume: () => void child.kill('SIGCONT'),
    async stop() {
      if (alive()) {
        child.kill('SIGCONT');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
