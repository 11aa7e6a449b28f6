import { startPlatform } from './start';
import { parseCommand, UsageError, USAGE, type StartCommand } from './cli-command';
import { MIGRATE_USAGE, parseMigrateCommand, runMigrate } from './cli-migrate';
import { KAMAILIO_USAGE, parseKamailioConfigCommand, runKamailioConfig } from './cli-kamailio';
import { KamailioConfigError } from './kamailio/render';

/** `highrise kamailio-config …`: usage errors exit 2; a database that cannot serve the edge exits 1 with why. */
async function kamailioConfig(argv: string[]): Promise<void> {
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

async function main(): Promise<void> {
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
