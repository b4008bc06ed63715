// Adminer, a database web UI for local development only.
import { Duration } from 'cdk8s';
import { Deployment, EnvValue, LabelSelector, Pods, Probe, Service } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { EnvironmentSettings } from '../settings.js';
import { componentLabels, namespacedMeta, selectorLabels } from './labels.js';
import { POSTGRES_NAME } from './postgres.js';
import {
  PLUS_PULL_POLICY,
  hardenPlusWorkload,
  plusContainerSecurity,
  plusPodSecurity,
  plusResources,
  plusTmpVolume,
} from './security.js';

export const ADMINER_IMAGE = 'adminer:5.3.0';
/** Adminer's image user is not numeric, so runAsNonRoot needs an explicit one: nobody. */
const ADMINER_USER_ID = 65534;

/**
 * Adminer's Deployment and Service, pointed at PostgreSQL, written into `scope` (the chart) itself: cdk8s-plus
 * labels the pods with their construct path, which a construct of its own would change.
 */
export function adminer(scope: Construct, env: EnvironmentSettings): void {
  const deployment = new Deployment(scope, 'Adminer', {
    metadata: namespacedMeta(env, 'adminer', 'findash-adminer'),
    podMetadata: { labels: componentLabels(env, 'adminer') },
    select: false,
    replicas: 1,
    securityContext: plusPodSecurity(ADMINER_USER_ID),
    containers: [
      {
        name: 'adminer',
        image: ADMINER_IMAGE,
        imagePullPolicy: PLUS_PULL_POLICY,
        portNumber: 8080,
        envVariables: { ADMINER_DEFAULT_SERVER: EnvValue.fromValue(POSTGRES_NAME) },
        securityContext: plusContainerSecurity(ADMINER_USER_ID),
        resources: plusResources({
          cpuRequestMillis: 10,
          cpuLimitMillis: 200,
          memoryRequestMebibytes: 32,
          memoryLimitMebibytes: 128,
        }),
        // Ready when it serves its login page; alive while it accepts connections.
        readiness: Probe.fromHttpGet('/', { port: 8080 }),
        liveness: Probe.fromTcpSocket({ port: 8080, periodSeconds: Duration.seconds(20) }),
        volumeMounts: [{ path: '/tmp', volume: plusTmpVolume(scope, 'AdminerTmp') }],
      },
    ],
  });
  deployment.select(LabelSelector.of({ labels: selectorLabels(env, 'adminer') }));
  hardenPlusWorkload(deployment);
  new Service(scope, 'AdminerService', {
    metadata: namespacedMeta(env, 'adminer', 'findash-adminer'),
    selector: Pods.select(scope, 'AdminerPods', { labels: selectorLabels(env, 'adminer') }),
    ports: [{ name: 'http', port: 8080, targetPort: 8080 }],
  });
}
