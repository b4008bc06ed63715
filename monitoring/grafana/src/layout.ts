/* eslint-disable @typescript-eslint/no-deprecated -- the SDK prefers dashboardv2 (Grafana 12 schema v2); the classic
   JSON model is what file provisioning, the Grafana sidecar ConfigMaps and Grafana 10/11 load. */
// What every findash dashboard shares: its header settings and variables, then titled rows of panels.
import type * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceVariable, instanceVariable, namespaceVariable } from './variables.js';

/** A titled row and the panels under it, left to right and top to bottom. */
export interface Row {
  readonly title: string;
  readonly panels: readonly cog.Builder<dashboard.Panel>[];
}

export interface DashboardSpec {
  readonly title: string;
  readonly uid: string;
  readonly description: string;
  readonly tags: readonly string[];
  /** The Prometheus job whose namespaces and pods the `$namespace` and `$instance` variables offer. */
  readonly job: string;
  readonly rows: readonly Row[];
}

/**
 * A findash dashboard: the last 3 hours in the browser's timezone, refreshed every 30 s, a shared crosshair,
 * read-only (the JSON in the repository is the source), with the datasource, namespace and instance variables.
 */
export function findashDashboard(spec: DashboardSpec): dashboard.Dashboard {
  const builder = new dashboard.DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags([...spec.tags])
    .timezone('browser')
    .time({ from: 'now-3h', to: 'now' })
    .refresh('30s')
    .tooltip(dashboard.DashboardCursorSync.Crosshair)
    .readonly()
    .withVariable(datasourceVariable())
    .withVariable(namespaceVariable(spec.job))
    .withVariable(instanceVariable(spec.job));
  for (const row of spec.rows) {
    builder.withRow(new dashboard.RowBuilder(row.title));
    for (const panel of row.panels) builder.withPanel(panel);
  }
  return builder.build();
}
