// Pod hardening shared by every workload: numeric non-root user, read-only root filesystem with an
// emptyDir /tmp, no capabilities, no privilege escalation, seccomp RuntimeDefault, requests and
// limits, and IfNotPresent pulls so images loaded into kind are used as they are.
import { ApiObject, JsonPatch, Size } from 'cdk8s';
import {
  Cpu,
  EmptyDirMedium,
  ImagePullPolicy,
  Volume,
  k8s,
  type ContainerResources,
  type ContainerSecurityContextProps,
  type PodSecurityContextProps,
  type Workload,
} from 'cdk8s-plus-27';
import type { Construct } from 'constructs';
import type { ResourceSettings } from '../settings.js';

/** The findash image's numeric user (contracts: non-root 10001). */
export const FINDASH_USER = 10001;

export const PULL_POLICY = 'IfNotPresent';
export const PLUS_PULL_POLICY = ImagePullPolicy.IF_NOT_PRESENT;

/** Container security context for cdk8s-plus containers (capabilities: see `hardenPlusWorkload`). */
export function plusContainerSecurity(user: number): ContainerSecurityContextProps {
  return {
    ensureNonRoot: true,
    user,
    group: user,
    privileged: false,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
  };
}

export function plusPodSecurity(user: number): PodSecurityContextProps {
  return { ensureNonRoot: true, user, group: user, fsGroup: user };
}

export function plusResources(r: ResourceSettings): ContainerResources {
  return {
    cpu: { request: Cpu.millis(r.cpuRequestMillis), limit: Cpu.millis(r.cpuLimitMillis) },
    memory: {
      request: Size.mebibytes(r.memoryRequestMebibytes),
      limit: Size.mebibytes(r.memoryLimitMebibytes),
    },
  };
}

/** An emptyDir for /tmp: the only writable path under a read-only root filesystem. */
export function plusTmpVolume(scope: Construct, id = 'tmp'): Volume {
  return Volume.fromEmptyDir(scope, id, 'tmp', {
    medium: EmptyDirMedium.DEFAULT,
    sizeLimit: Size.mebibytes(64),
  });
}

/**
 * cdk8s-plus-27 has no seccomp profile and its Capability enum lacks `ALL`, so both are patched into
 * the synthesized pod template of `workload`, for every container and init container it holds.
 */
export function hardenPlusWorkload(workload: Workload): void {
  const object = ApiObject.of(workload);
  object.addJsonPatch(
    JsonPatch.add('/spec/template/spec/securityContext/seccompProfile', { type: 'RuntimeDefault' }),
  );
  workload.containers.forEach((_, i) => {
    object.addJsonPatch(
      JsonPatch.add(`/spec/template/spec/containers/${i}/securityContext/capabilities`, { drop: ['ALL'] }),
    );
  });
  workload.initContainers.forEach((_, i) => {
    object.addJsonPatch(
      JsonPatch.add(`/spec/template/spec/initContainers/${i}/securityContext/capabilities`, {
        drop: ['ALL'],
      }),
    );
  });
}

// ---- the same rules for raw k8s pod specs (StatefulSets and other objects cdk8s-plus does not cover)

export function kubeContainerSecurity(user: number): k8s.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    privileged: false,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function kubePodSecurity(user: number): k8s.PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: user,
    runAsGroup: user,
    fsGroup: user,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

export function kubeResources(r: ResourceSettings): k8s.ResourceRequirements {
  return {
    requests: {
      cpu: k8s.Quantity.fromString(`${r.cpuRequestMillis}m`),
      memory: k8s.Quantity.fromString(`${r.memoryRequestMebibytes}Mi`),
    },
    limits: {
      cpu: k8s.Quantity.fromString(`${r.cpuLimitMillis}m`),
      memory: k8s.Quantity.fromString(`${r.memoryLimitMebibytes}Mi`),
    },
  };
}

/** Resources as plain strings, for custom resources (CloudNativePG, RabbitMQ) whose types take strings. */
export function resourceStrings(r: ResourceSettings): {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
} {
  return {
    requests: { cpu: `${r.cpuRequestMillis}m`, memory: `${r.memoryRequestMebibytes}Mi` },
    limits: { cpu: `${r.cpuLimitMillis}m`, memory: `${r.memoryLimitMebibytes}Mi` },
  };
}

export const KUBE_TMP_VOLUME: k8s.Volume = {
  name: 'tmp',
  emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') },
};
export const KUBE_TMP_MOUNT: k8s.VolumeMount = { name: 'tmp', mountPath: '/tmp' };
