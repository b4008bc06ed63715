// Prometheus-operator objects for kube-prometheus-stack: a ServiceMonitor per component, one
// PrometheusRule per rule file in monitoring/prometheus/rules/, and each Grafana dashboard in
// monitoring/grafana/dashboards/ as a ConfigMap the Grafana sidecar imports.
import { Chart, type ChartProps } from 'cdk8s';
import { ConfigMap } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { EnvironmentSettings } from '../settings.js';
import {
  PrometheusRule,
  PrometheusRuleSpecGroupsRulesExpr,
  ServiceMonitor,
} from '../imports/monitoring.coreos.com.js';
import { componentLabels, type Component } from '../lib/labels.js';
import { readDashboards, readRuleFiles, type DashboardFile, type RuleFile } from '../lib/monitoring-files.js';
import type { MetricsTarget } from '../lib/wiring.js';

export interface ScrapeTarget {
  /** ServiceMonitor name; also the scrape job name when it matches the Service (rules rely on findash-api/findash-operator). */
  readonly name: string;
  readonly component: Component;
  readonly metrics: MetricsTarget;
}

export interface MonitoringChartProps extends ChartProps {
  readonly env: EnvironmentSettings;
  readonly targets: readonly ScrapeTarget[];
  readonly ruleFiles: readonly RuleFile[];
  readonly dashboards: readonly DashboardFile[];
}

export class MonitoringChart extends Chart {
  public constructor(scope: Construct, id: string, props: MonitoringChartProps) {
    super(scope, id, props);
    const { env } = props;
    const release = { release: env.monitoring.releaseLabel };

    for (const target of props.targets) {
      new ServiceMonitor(this, `ServiceMonitor-${target.name}`, {
        metadata: {
          name: target.name,
          namespace: env.namespace,
          labels: { ...componentLabels(env, target.component), ...release },
        },
        spec: {
          selector: { matchLabels: target.metrics.serviceLabels },
          namespaceSelector: { matchNames: [env.namespace] },
          endpoints: [{ port: target.metrics.portName, path: target.metrics.path, interval: '30s' }],
        },
      });
    }

    for (const file of props.ruleFiles) {
      new PrometheusRule(this, `Rules-${file.name}`, {
        metadata: {
          name: `findash-${file.name}`,
          namespace: env.namespace,
          labels: { ...componentLabels(env, 'monitoring'), ...release },
        },
        spec: {
          groups: file.groups.map((group) => ({
            name: group.name,
            interval: group.interval,
            rules: group.rules.map((rule) => ({
              ...rule,
              expr: PrometheusRuleSpecGroupsRulesExpr.fromString(rule.expr),
            })),
          })),
        },
      });
    }

    for (const dashboard of props.dashboards) {
      new ConfigMap(this, `Dashboard-${dashboard.name}`, {
        metadata: {
          name: `findash-dashboard-${dashboard.name}`,
          namespace: env.namespace,
          labels: { ...componentLabels(env, 'monitoring'), grafana_dashboard: '1' },
          // Folder for sidecars configured with folderAnnotation=grafana_folder.
          annotations: { grafana_folder: 'findash' },
        },
        data: { [dashboard.fileName]: dashboard.json },
      });
    }
  }
}

export function loadMonitoringFiles(
  rulesDir: string,
  dashboardsDir: string,
  warn: (message: string) => void,
): { ruleFiles: RuleFile[]; dashboards: DashboardFile[] } {
  return { ruleFiles: readRuleFiles(rulesDir, warn), dashboards: readDashboards(dashboardsDir, warn) };
}
