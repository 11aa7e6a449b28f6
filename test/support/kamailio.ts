/**
 * A real Kamailio for tests: started in the foreground (`-DD -E`) on a loopback port the test picked,
 * never as a system service, in a process group of its own, and stopped by its own pid (or killed,
 * workers and all, by its group). Its log is kept so a failing test can print
 * it; its startup time is measured so a slow start is visible.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { connect as tcpConnect, createServer } from 'node:net';

export const KAMAILIO_BIN = process.env.KAMAILIO_BIN ?? '/usr/sbin/kamailio';

export interface RunningKamailio {
  readonly pid: number;
  readonly port: number;
  readonly startupMs: number;
  /** Everything Kamailio wrote so far (stderr and stdout). */
  log(): string;
  stop(): Promise<void>;
  /** SIGKILL to its process group (the main process and every worker): a node that dies, not one that stops. */
  kill(): Promise<void>;
}

/** A loopback port free right now (the OS picks; Kamailio cannot take port 0). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** `kamailio -c`: the configuration parses and every module loads, or the reason why not. */
export function checkKamailioConfig(configPath: string): { ok: boolean; output: string } {
  const result = spawnSync(KAMAILIO_BIN, ['-c', '-f', configPath], { encoding: 'utf8', timeout: 30_000 });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

const accepts = (port: number, host: string) =>
  new Promise<boolean>((resolve) => {
    const socket = tcpConnect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

export async function startKamailio(configPath: string, port: number, timeoutMs = 20_000, host = '127.0.0.1'): Promise<RunningKamailio> {
  const started = Date.now();
  // detached: its own process group, so kill() reaches the workers it forks (and nothing else).
  const child: ChildProcess = spawn(KAMAILIO_BIN, ['-f', configPath, '-DD', '-E'], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let log = '';
  child.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const stop = async () => {
    if (gone || child.pid === undefined) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };

  const kill = async () => {
    if (gone || child.pid === undefined) return;
    process.kill(-child.pid, 'SIGKILL');
    await exited;
  };

  while (!(await accepts(port, host))) {
    if (gone) throw new Error(`kamailio exited during startup:\n${log}`);
    if (Date.now() - started > timeoutMs) {
      await stop();
      throw new Error(`kamailio did not listen on ${host}:${port} within ${timeoutMs} ms:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { pid: child.pid!, port, startupMs: Date.now() - started, log: () => log, stop, kill };
}
