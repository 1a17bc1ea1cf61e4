import cliProgress from 'cli-progress';

export interface Progress {
  tick(done: number): void;
  stop(): void;
}

/** A live counter of records done out of `total`; nothing at all when the output is not a terminal. */
export function createProgress(stream: NodeJS.WritableStream, total: number): Progress {
  if (!('isTTY' in stream) || stream.isTTY !== true) {
    return { tick: () => {}, stop: () => {} };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: 'replaying [{bar}] {value}/{total} records | {duration}s',
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0);
  return {
    tick: (done) => bar.update(done),
    stop: () => bar.stop(),
  };
}
