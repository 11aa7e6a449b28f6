// Runs the built platform in its own process for the kill -9 test in test/porting.test.ts:
// `node porting-child.mjs <dataDir> <bootstrapKey> <stepSeconds>`; prints `url=<url>` once listening.
import { startPlatform } from '../../packages/platform/dist/index.js';

const [dataDir, bootstrapKey, stepSeconds] = process.argv.slice(2);
// A kill -9 mid-tick leaves the `porting.automation` lease held until `leaseMs` passes (60 s by
// default): the restarted node must not wait that long, or the test waits for the lease, not the loop.
// Under load more ticks are cut mid-way, so without this the test failed only on a busy machine.
const platform = await startPlatform({ port: 0, dataDir, bootstrapKey, porting: { carrier: 'simulated', stepSeconds: Number(stepSeconds), tickMs: 20, leaseMs: 1000 } });
process.stdout.write(`url=${platform.url}\n`);
process.on('SIGTERM', () => void platform.close().then(() => process.exit(0)));
