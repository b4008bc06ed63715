// The recommended app.kubernetes.io labels, shared by every object so selectors, NetworkPolicies and
// ServiceMonitors can find a component without knowing which chart made it.
import type { EnvironmentSettings } from '../settings.js';
import { PRODUCT_VERSION } from './paths.js';

export type Component = 'api' | 'operator' | 'memcached' | 'rabbitmq' | 'postgres' | 'adminer' | 'monitoring';

/**
 * The instance every environment is deployed as: the Helm release name ci/deploy.sh installs (`findash`), so
 * selectors (immutable on Deployments and StatefulSets) are the same whichever tool deployed an environment and
 * it can move between cdk8s and Helm in place. Environments are told apart by cluster, not by label.
 */
export const INSTANCE = 'findash';

/** Labels that select a component's pods: stable across releases, so never the version. */
export function selectorLabels(_env: EnvironmentSettings, component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'findash',
    'app.kubernetes.io/instance': INSTANCE,
    'app.kubernetes.io/component': component,
  };
}

/** Labels of objects that belong to the product as a whole rather than one component. */
export function partOfLabels(): Record<string, string> {
  return { 'app.kubernetes.io/part-of': 'findash', 'app.kubernetes.io/managed-by': 'cdk8s' };
}

/** Every label an object of `component` carries. */
export function componentLabels(env: EnvironmentSettings, component: Component): Record<string, string> {
  return {
    ...selectorLabels(env, component),
    'app.kubernetes.io/version': PRODUCT_VERSION,
    ...partOfLabels(),
  };
}

/** metadata for a namespaced object of `component`. */
export function namespacedMeta(
  env: EnvironmentSettings,
  component: Component,
  name: string,
): { name: string; namespace: string; labels: Record<string, string> } {
  return { name, namespace: env.namespace, labels: componentLabels(env, component) };
}
