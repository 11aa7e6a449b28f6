import { parseCommand, UsageError, USAGE, type StartCommand } from './cli-command';

// Each command loads what it needs when it runs: an operator command or `--help` does not pay for
// loading the whole platform (its database drivers, the SIP edge) first.

/** `highrise kamailio-config …`: usage errors exit 2; a database that cannot serve the edge exits 1 with why. */
async function kamailioConfig(argv: string[]): Promise<void> {
  const { KAMAILIO_USAGE, parseKamailioConfigCommand, runKamailioConfig } = await import('./cli-kamailio');
  const { KamailioConfigError } = await import('./kamailio/render');
  let command;
  try {
    command = parseKamailioConfigCommand(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (!error.message) {
      process.stdout.write(KAMAILIO_USAGE);
      return;
    }
    process.stderr.write(`highrise: ${error.message}\n${KAMAILIO_USAGE}`);
    process.exitCode = 2;
    return;
  }
  try {
    await runKamailioConfig(command, (line) => process.stdout.write(`${line}\n`));
  } catch (error) {
    if (!(error instanceof KamailioConfigError)) throw error;
    process.stderr.write(`highrise: ${error.message}\n`);
    process.exitCode = 1;
  }
}

/** `highrise migrate …`: usage errors exit 2 like `start`'s. */
async function migrate(argv: string[]): Promise<void> {
  const { MIGRATE_USAGE, parseMigrateCommand, runMigrate } = await import('./cli-migrate');
  let command;
  try {
    command = parseMigrateCommand(argv, process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (!error.message) {
      process.stdout.write(MIGRATE_USAGE);
      return;
    }
    process.stderr.write(`highrise: ${error.message}\n${MIGRATE_USAGE}`);
    process.exitCode = 2;
    return;
  }
  await runMigrate(command, (line) => process.stdout.write(`${line}\n`));
}

/** The operator commands that talk to a running platform through the SDK. */
const OPS_GROUPS = new Set(['tenants', 'extensions', 'keys', 'numbers', 'port-orders']);

async function main(): Promise<void> {
  if (OPS_GROUPS.has(process.argv[2] ?? '')) {
    // Loaded only here, so `highrise start` does not load the SDK's HTTP client.
    const { runOps } = await import('./cli-ops');
    process.exitCode = await runOps(process.argv.slice(2), process.env, { stdout: process.stdout, stderr: process.stderr });
    return;
  }
  if (process.argv[2] === 'migrate') return migrate(process.argv.slice(3));
  if (process.argv[2] === 'kamailio-config') return kamailioConfig(process.argv.slice(3));
  let command: StartCommand;
  try {
    command = parseCommand(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // --help is an answer, not a mistake: usage on stdout and exit 0.
    if (!error.message) {
      process.stdout.write(USAGE);
      return;
    }
    process.stderr.write(`highrise: ${error.message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const { startPlatform } = await import('./start');
  const platform = await startPlatform({
    port: command.port,
    host: command.host,
    dataDir: command.dataDir,
    ...(command.databaseUrl !== undefined ? { databaseUrl: command.databaseUrl } : {}),
    bootstrapKey: command.bootstrapKey,
    sipDomain: command.sipDomain,
    webhooks: { allowPrivateDestinations: command.allowPrivateWebhooks },
    audit: command.audit,
    ...(command.portingCarrier ? { porting: { carrier: command.portingCarrier } } : {}),
    metricsToken: command.metricsToken,
    ...(command.turn ? { turn: command.turn } : {}),
    ...(command.kamailioWsUrls ? { kamailio: { wsUrls: command.kamailioWsUrls } } : {}),
    ...(command.tenantRetentionDays !== undefined ? { tenants: { retentionDays: command.tenantRetentionDays } } : {}),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`Highrise is running at ${platform.url}\nport: ${platform.port}\nSIP over WebSocket: ${platform.wsUrl}\n`);

  const shutdown = (signal: string) => {
    process.stdout.write(`${signal}: shutting down\n`);
    platform.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`highrise: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`highrise: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
