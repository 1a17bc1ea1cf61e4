// `npm start`: the local broker (unless KAFKA_BROKERS points elsewhere), then `ricochet demo` in
// the foreground: topology, a main consumer with a sample handler, one delay service per tier,
// the archiver on SQLite, the console over its archive (its URL printed) and a traffic
// generator, until Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = `${root}packages/cli/dist/bin.js`;
const brokers =
  process.env.KAFKA_BROKERS ?? `127.0.0.1:${process.env.RICOCHET_KAFKA_PORT ?? '29092'}`;

if (process.env.KAFKA_BROKERS === undefined) {
  const started = spawnSync(`${root}scripts/kafka`, ['start'], { stdio: 'inherit', cwd: root });
  if (started.status !== 0) {
    process.exit(started.status ?? 1);
  }
}

// The demo handles Ctrl-C itself (it stops the services cleanly); this process only waits.
process.on('SIGINT', () => {});
process.on('SIGTERM', () => demo.kill('SIGTERM'));
const demo = spawn(
  process.execPath,
  [cli, 'demo', '--brokers', brokers, ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    cwd: root,
  },
);
demo.once('exit', (code) => {
  console.log('The broker is still running: `npm run kafka:stop` stops it.');
  process.exit(code ?? 1);
});
