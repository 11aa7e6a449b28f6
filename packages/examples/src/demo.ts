// `npm start`: the platform on http://localhost:8080 with SQLite under .highrise/, seeded once
// with the reseller Northwind Telecom and two tenants that both own 101 and 102, serving the
// reseller's page with the embedded softphone. Prints where everything is.
import { resolve } from 'node:path';
import { DemoKeyMismatch, DemoPublicBindRefused, isLoopbackHost, startDemo, type Demo } from './demo-server';

function banner(demo: Demo, dataDir: string): string {
  const origin = `http://localhost:${demo.platform.port}`;
  const key = demo.bootstrapKey;
  return [
    '',
    'Highrise demo is running.',
    '',
    `  Reseller site (Northwind Telecom)   ${origin}/`,
    `    tab 1: ${origin}/?phone=acme-101   tab 2: ${origin}/?phone=acme-102   then dial 101 from tab 2`,
    `  Operator console                    ${origin}/console/   (sign in with the provider API key below)`,
    `  API base                            ${origin}/v1`,
    `  Provider API key                    ${key}`,
    ...demo.tenants.map((t) => `  ${`${t.name} SIP domain`.padEnd(36)}${t.sipDomain}`),
    '',
    '  Call the API:',
    `    curl -H "Authorization: Bearer ${key}" ${origin}/v1/tenants`,
    '',
    `  State lives in ${dataDir} (delete it to start over). Ctrl-C stops the demo.`,
    '',
  ].join('\n');
}

async function main() {
  const dataDir = resolve('.highrise');
  const host = process.env.HIGHRISE_HOST ?? '127.0.0.1';
  const insecurePublic = process.env.HIGHRISE_DEMO_INSECURE_PUBLIC === '1' || process.argv.includes('--insecure-public-demo');
  const demo = await startDemo({
    port: Number(process.env.HIGHRISE_PORT ?? 8080),
    host,
    insecurePublic,
    dataDir,
    log: (line) => console.log(`[platform] ${line}`),
  });
  console.log(banner(demo, dataDir));
  if (!isLoopbackHost(host)) console.warn(`WARNING: the demo is served on ${host}; anyone who can reach it gets its phones' tokens.`);

  let closing = false;
  const shutdown = () => {
    // A second Ctrl-C while closing means "now".
    if (closing) process.exit(130);
    closing = true;
    console.log('Stopping the demo…');
    demo.close().then(
      () => process.exit(0),
      (e: unknown) => {
        console.error(e);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((e: unknown) => {
  if (e instanceof DemoKeyMismatch || e instanceof DemoPublicBindRefused) console.error(e.message);
  else if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`Port ${process.env.HIGHRISE_PORT ?? 8080} is already in use: stop the other server or set HIGHRISE_PORT.`);
  } else console.error(e);
  process.exit(1);
});
