import cliProgress from 'cli-progress';

export interface Progress {
  tick(done: number): void;
  stop(): void;
}

/** A live counter on a terminal; nothing at all when the output is a pipe or a file. */
export function createProgress(stream: NodeJS.WritableStream): Progress {
  if (!('isTTY' in stream) || stream.isTTY !== true) {
    return { tick: () => {}, stop: () => {} };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: stream as NodeJS.WriteStream,
      format: 'replaying {value} records | {duration}s',
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(0, 0);
  return {
    tick: (done) => bar.update(done),
    stop: () => bar.stop(),
  };
}
