/* eslint-disable @typescript-eslint/no-deprecated -- the SDK prefers dashboardv2 (Grafana 12 schema v2); the classic
   JSON model is what file provisioning, the Grafana sidecar ConfigMaps and Grafana 10/11 load. */
// "findash API": the seed's Monitoring Dashboard. Top row answers "is it healthy right now" with the same
// thresholds as the alerts; the rows below explain why, one dependency at a time (one file per row in api/).
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { cacheRow } from './api/cache.js';
import { databaseRow } from './api/database.js';
import { outboxRow } from './api/outbox.js';
import { overviewRow } from './api/overview.js';
import { processRow } from './api/process.js';
import { JOB } from './api/queries.js';
import { tenantsRow } from './api/tenants.js';
import { trafficRow } from './api/traffic.js';
import { findashDashboard } from './layout.js';

export function apiDashboard(): dashboard.Dashboard {
  return findashDashboard({
    title: 'findash API',
    uid: 'findash-api',
    description:
      'findash API: traffic, errors, latency, cache, process, PostgreSQL, tenants and the audit outbox.',
    tags: ['findash', 'api'],
    job: JOB,
    rows: [overviewRow(), trafficRow(), cacheRow(), processRow(), databaseRow(), tenantsRow(), outboxRow()],
  });
}
