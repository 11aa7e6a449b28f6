#!/usr/bin/env node
// Makes the machine's PostgreSQL reachable inside the browser suite's loopback-only network
// namespace. A new namespace has its own 127.0.0.1, where nothing listens; but a Unix socket lives
// in the filesystem, which the namespace shares. So, run inside the namespace, this listens on
// 127.0.0.1:5432 (the suites' default HIGHRISE_TEST_DATABASE_URL) and pipes every connection to
// PostgreSQL's Unix socket. Kamailio (db_postgres takes host:port, no socket path) and the
// platform then reach PostgreSQL as they do outside. Nothing leaves loopback.
//
//   node test/browser/postgres-bridge.mjs [SOCKET] [PORT]   prints "listening" once it accepts
import { connect, createServer } from 'node:net';

export const DEFAULT_POSTGRES_SOCKET = '/var/run/postgresql/.s.PGSQL.5432';

/** @param {string} socketPath @param {number} port @returns {Promise<import('node:net').Server>} */
export function startPostgresBridge(socketPath = DEFAULT_POSTGRES_SOCKET, port = 5432) {
  const server = createServer((client) => {
    const upstream = connect(socketPath);
    client.pipe(upstream).pipe(client);
    // Either side closing or failing ends both: PostgreSQL sees a dropped client, the client a dropped server.
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [socketPath = DEFAULT_POSTGRES_SOCKET, port = '5432'] = process.argv.slice(2);
  await startPostgresBridge(socketPath, Number(port));
  process.stdout.write('listening\n');
}
