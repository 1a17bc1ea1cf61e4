// `npm start`: the local broker and Ricochet's topology, then one delay service per tier of the
// default ladder and the dead-letter archiver on SQLite, in the foreground until Ctrl-C. (The
// full demo with a sample handler and traffic extends this.)
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = `${root}packages/cli/dist/bin.js`;
const brokers =
  process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.RICOCHET_KAFKA_PORT ?? '29092'}`;
const tiers = ['retry-5s', 'retry-1m', 'retry-10m'];

function runOrExit(command, args) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root });
  if (result.status !== 0) {
    process.exit(result.status ?? 1);
  }
}

if (process.env.KAFKA_BROKERS === undefined) {
  runOrExit(`${root}scripts/kafka`, ['start']);
}
runOrExit(process.execPath, [cli, 'topology', 'create', '--brokers', brokers]);

const store = process.env.RICOCHET_STORE ?? 'sqlite:./ricochet-dlq.db';
const roles = [...tiers.map((tier) => ['delay', '--tier', tier]), ['dlq', '--store', store]];
const services = roles.map((role) =>
  spawn(process.execPath, [cli, 'run', ...role, '--brokers', brokers, '--log-format', 'pretty'], {
    stdio: 'inherit',
    cwd: root,
  }),
);
console.log(
  `\nRicochet is up on ${brokers}: delay services for ${tiers.join(', ')}, and the archiver into ${store}.`,
);
console.log('Run your handler beside them:');
console.log(
  `  node ${cli} run main --topic <topic> --group <group> --handler ./handler.mjs --brokers ${brokers}`,
);
console.log(`Inspect the archive: node ${cli} dlq list --store ${store}`);
console.log('Ctrl-C stops the services; `npm run kafka:stop` stops the broker.\n');

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  for (const service of services) service.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
await Promise.all(
  services.map((service) => new Promise((resolve) => service.once('exit', resolve))),
);
