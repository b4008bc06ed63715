import { startTestCluster } from './harness/postgres.js';

/**
 * Starts the real services the suites share, once per run, and hands their addresses to the
 * test workers through environment variables (workers start after this and inherit them).
 */
export default async function globalSetup(): Promise<void> {
  const { server } = await startTestCluster();
  (globalThis as { __findashStops?: Array<() => Promise<void>> }).__findashStops = [() => server.stop()];
}
