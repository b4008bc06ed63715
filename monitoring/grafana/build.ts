// Regenerates monitoring/grafana/dashboards/*.json from src/ (npm run monitoring:build).
// The JSON is committed so Grafana provisioning, the Helm chart and cdk8s ConfigMaps can use it without a build
// step; test/monitoring/dashboards.test.ts fails when it is out of date.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dashboards, renderDashboard } from './src/index.js';

const dashboardsDir = fileURLToPath(new URL('./dashboards/', import.meta.url));

mkdirSync(dashboardsDir, { recursive: true });
for (const [file, model] of dashboards()) {
  const path = join(dashboardsDir, file);
  writeFileSync(path, renderDashboard(model));
  console.log(`wrote ${path}`);
}
