// Template variables shared by the dashboards: which Prometheus, which namespace (one environment at a time,
// matching the per-namespace recording rules) and which pods (all by default).
import * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { datasourceRef } from './panels.js';

export function datasourceVariable(): dashboard.DatasourceVariableBuilder {
  return new dashboard.DatasourceVariableBuilder('datasource').label('Data source').type('prometheus');
}

/** Namespaces where the given scrape job has targets. */
export function namespaceVariable(job: string): dashboard.QueryVariableBuilder {
  const query = `label_values(up{job="${job}"}, namespace)`;
  return new dashboard.QueryVariableBuilder('namespace')
    .label('Namespace')
    .datasource(datasourceRef)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc);
}

/** Pods of the given job in the selected namespace; panels filter with `pod=~"$instance"`. */
export function instanceVariable(job: string): dashboard.QueryVariableBuilder {
  const query = `label_values(up{job="${job}", namespace="$namespace"}, pod)`;
  return new dashboard.QueryVariableBuilder('instance')
    .label('Instance (pod)')
    .datasource(datasourceRef)
    .query(query)
    .definition(query)
    .refresh(dashboard.VariableRefresh.OnTimeRangeChanged)
    .sort(dashboard.VariableSort.AlphabeticalAsc)
    .multi(true)
    .includeAll(true)
    .allValue('.*');
}
