export default async function globalTeardown(): Promise<void> {
  const stops = (globalThis as { __findashStops?: Array<() => Promise<void>> }).__findashStops ?? [];
  for (const stop of stops.reverse()) {
    try {
      await stop();
    } catch (error) {
      console.error('teardown:', error);
    }
  }
}
