// Runs the built platform in its own process for the kill -9 test in test/porting.test.ts:
// `node porting-child.mjs <dataDir> <bootstrapKey> <stepSeconds>`; prints `url=<url>` once listening.
import { startPlatform } from '../../packages/platform/dist/index.js';

const [dataDir, bootstrapKey, stepSeconds] = process.argv.slice(2);
const platform = await startPlatform({ port: 0, dataDir, bootstrapKey, porting: { carrier: 'simulated', stepSeconds: Number(stepSeconds), tickMs: 20 } });
process.stdout.write(`url=${platform.url}\n`);
process.on('SIGTERM', () => void platform.close().then(() => process.exit(0)));
