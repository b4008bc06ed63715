// PostgreSQL 17. Development and testing run a plain StatefulSet (testing keeps the data directory on
// tmpfs); staging and production run a CloudNativePG Cluster with failover and, in production,
// scheduled backups to an object store. Development also gets Adminer.
import { Chart, type ChartProps } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvironmentSettings } from '../settings.js';
import { adminer } from '../lib/adminer.js';
import { cloudNativePgCluster } from '../lib/cloudnative-pg.js';
import { postgresStatefulSet } from '../lib/postgres-statefulset.js';
import type { DatabaseWiring } from '../lib/wiring.js';

export interface PostgresChartProps extends ChartProps {
  readonly env: EnvironmentSettings;
}

export class PostgresChart extends Chart {
  public readonly database: DatabaseWiring;

  public constructor(scope: Construct, id: string, props: PostgresChartProps) {
    super(scope, id, props);
    const { env } = props;
    this.database =
      env.postgres.kind === 'statefulset'
        ? postgresStatefulSet(this, env, env.postgres)
        : cloudNativePgCluster(this, env, env.postgres);
    if (env.adminer) adminer(this, env);
  }
}
