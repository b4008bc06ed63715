// Environment variables that come from Secrets another chart (or a secret store) owns.
import { EnvValue, Secret, type ISecret } from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { SecretKeyRef } from './wiring.js';

/** The imported Secret named `name` in `scope`, created once however many variables read from it. */
function importedSecret(scope: Construct, name: string): ISecret {
  const id = `Secret-${name}`;
  const existing = scope.node.tryFindChild(id);
  return existing ? (existing as unknown as ISecret) : Secret.fromSecretName(scope, id, name);
}

export function secretEnv(scope: Construct, ref: SecretKeyRef): EnvValue {
  return EnvValue.fromSecretValue({ secret: importedSecret(scope, ref.name), key: ref.key });
}
