/** The supervisor's log lines (stdout, which `stack:up` sends to supervisor.log): a timestamp, then the message. */
export function log(message: string): void {
  console.log(`${new Date().toISOString()} ${message}`);
}

/** Runs one start-up or shutdown step, logging when it starts and how long it took. */
export async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  log(`${what}...`);
  const result = await work();
  log(`${what}: done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return result;
}
