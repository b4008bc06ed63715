import type { Row } from '../layout.js';
import { graph } from '../panels.js';
import { processPanels } from '../process-panels.js';
import { JOB, sel } from './queries.js';

/** The Node.js process of each pod: CPU, memory and event-loop lag. */
export const processRow = (): Row => ({
  title: 'Process',
  panels: [
    ...processPanels(JOB, { width: 8, cpuNote: ' (Node.js runs JavaScript on one thread)' }),
    graph({
      title: 'Event-loop lag',
      description:
        'How late timers fire on the event loop; above a few milliseconds requests queue behind CPU work.',
      queries: [{ expr: `nodejs_eventloop_lag_seconds{job="${JOB}", ${sel}}`, legend: '{{pod}}' }],
      unit: 's',
      min: 0,
      width: 8,
    }),
  ],
});
