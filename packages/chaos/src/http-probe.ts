/** What the runner asks of a service's HTTP endpoints (see docs/operations-contract.md). */

const requestTimeoutMilliseconds = 2_000;

async function get(port: number, path: string): Promise<{ status: number; text: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(requestTimeoutMilliseconds),
  });
  return { status: response.status, text: await response.text() };
}

/** /readyz answered 200: connected, in the group and assigned partitions. */
export async function isReady(port: number): Promise<boolean> {
  try {
    return (await get(port, '/readyz')).status === 200;
  } catch {
    // Not listening yet, or just killed: not ready is the answer, not an error.
    return false;
  }
}

/** The delay service's `ricochet_records_held` gauge: partitions paused until a record is due. */
export async function heldPartitions(port: number): Promise<number> {
  const { text } = await get(port, '/metrics');
  return text
    .split('\n')
    .filter(
      (line) =>
        line.startsWith('ricochet_records_held{') || line.startsWith('ricochet_records_held '),
    )
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
