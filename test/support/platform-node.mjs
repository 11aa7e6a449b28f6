// One platform node in its own process, for the two-node suite (test/two-nodes.test.ts):
// `node platform-node.mjs '<startPlatform options as JSON>'`; prints `url=<url> pid=<pid>` once
// listening, and log lines as `log: …`. SIGKILL is what the suite sends to kill it mid-job.
import { startPlatform } from '../../packages/platform/dist/index.js';

const options = JSON.parse(process.argv[2]);
const platform = await startPlatform({ ...options, port: 0, log: (line) => process.stdout.write(`log: ${line}\n`) });
process.stdout.write(`url=${platform.url} pid=${process.pid}\n`);
process.on('SIGTERM', () => void platform.close().then(() => process.exit(0)));
