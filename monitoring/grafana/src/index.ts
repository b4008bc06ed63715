/* eslint-disable @typescript-eslint/no-deprecated -- the SDK prefers dashboardv2 (Grafana 12 schema v2); the classic
   JSON model is what file provisioning, the Grafana sidecar ConfigMaps and Grafana 10/11 load. */
// The dashboards this repository ships, and their rendering to the committed JSON files.
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { apiDashboard } from './api-dashboard.js';
import { operatorDashboard } from './operator-dashboard.js';

/** File name under monitoring/grafana/dashboards/ → dashboard model. */
export function dashboards(): ReadonlyMap<string, dashboard.Dashboard> {
  return new Map([
    ['findash-api.json', numberPanels(apiDashboard())],
    ['findash-operator.json', numberPanels(operatorDashboard())],
  ]);
}

/**
 * Grafana needs a unique id per panel for links, "view panel" and alert annotations; the SDK leaves them unset
 * (rows get 0), so number them in layout order, which keeps ids stable as long as the layout is.
 */
function numberPanels(d: dashboard.Dashboard): dashboard.Dashboard {
  let next = 1;
  for (const panel of d.panels ?? []) {
    panel.id = next++;
    if ('panels' in panel) for (const nested of panel.panels) nested.id = next++;
  }
  return d;
}

/** The exact bytes build.ts writes: 2-space JSON with a trailing newline. */
export function renderDashboard(d: dashboard.Dashboard): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
