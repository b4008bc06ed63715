// The panels every findash process gets, API and operator alike: CPU and memory per pod of its job.
import { graph } from './panels.js';

const sel = 'namespace="$namespace", pod=~"$instance"';

/**
 * CPU (as a share of one core, with FindashHighCpu's threshold) and resident memory per pod of `job`.
 * `cpuNote` is said after "a share of one core"; `width` is each panel's width (default: half a row).
 */
export function processPanels(
  job: string,
  options: { readonly width?: number; readonly cpuNote?: string } = {},
) {
  return [
    graph({
      title: 'CPU',
      description: `CPU time per second per pod, as a share of one core${options.cpuNote ?? ''}. Alert FindashHighCpu fires above 80%.`,
      queries: [
        {
          expr: `rate(process_cpu_seconds_total{job="${job}", ${sel}}[$__rate_interval])`,
          legend: '{{pod}}',
        },
      ],
      unit: 'percentunit',
      min: 0,
      steps: [{ value: 0.8, color: 'red' }],
      width: options.width,
    }),
    graph({
      title: 'Memory',
      description: 'Resident set size per pod.',
      queries: [{ expr: `process_resident_memory_bytes{job="${job}", ${sel}}`, legend: '{{pod}}' }],
      unit: 'bytes',
      min: 0,
      width: options.width,
    }),
  ];
}
