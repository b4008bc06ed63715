// The API's environment, as each disposable environment's manifests give it (values and the Secrets they
// carry), must pass the API's own configuration check: otherwise the pod exits at start ("invalid
// configuration") and the rollout never completes. Found by running development as real Pods: its admin
// token was one character shorter than the API accepts.
import { describe, expect, it } from '@jest/globals';

import { synthEnvironment, type KubeObject } from '../../cdk8s/app.js';
import { loadConfig } from '../../app/config.js';

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Container {
  name: string;
  env?: EnvVar[];
  envFrom?: { secretRef?: { name: string } }[];
}

function secretData(objects: KubeObject[], name: string): Record<string, string> {
  type Secret = KubeObject & { stringData?: Record<string, string>; data?: Record<string, string> };
  const secret = objects.find((o): o is Secret => o.kind === 'Secret' && o.metadata.name === name);
  if (!secret) throw new Error(`Secret ${name} is referenced but not in the manifests`);
  const decoded = Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  );
  return { ...decoded, ...secret.stringData };
}

/** The environment variables the API container starts with. */
function apiEnvironment(objects: KubeObject[]): Record<string, string> {
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'findash-api') as
    (KubeObject & { spec: { template: { spec: { containers: Container[] } } } }) | undefined;
  const api = deployment?.spec.template.spec.containers.find((c) => c.name === 'api');
  if (!api) throw new Error('no findash-api Deployment with an api container');
  const env: Record<string, string> = {};
  for (const from of api.envFrom ?? []) {
    if (from.secretRef) Object.assign(env, secretData(objects, from.secretRef.name));
  }
  for (const variable of api.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (ref) {
      const value = secretData(objects, ref.name)[ref.key];
      if (value === undefined) throw new Error(`${variable.name}: Secret ${ref.name} has no key ${ref.key}`);
      env[variable.name] = value;
    }
  }
  return env;
}

describe('the API configuration of the disposable environments', () => {
  it.each(['development', 'testing'] as const)(
    '%s: the API accepts the configuration it is given',
    (name) => {
      const env = apiEnvironment(synthEnvironment(name, { warn: () => undefined }));
      expect(() => loadConfig(env)).not.toThrow();
    },
  );
});
