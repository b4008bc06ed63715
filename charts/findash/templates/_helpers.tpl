{{/*
Names. fullname is the release name, suffixed with the chart name unless it already contains it
("findash" -> findash-api, "prod" -> prod-findash-api).
*/}}
{{- define "findash.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "findash.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "findash.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <fullname>-<component>; call with (dict "ctx" $ "component" "api"). */}}
{{- define "findash.componentName" -}}
{{- printf "%s-%s" (include "findash.fullname" .ctx) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Recommended labels (app.kubernetes.io/*), the same set the cdk8s manifests use, so selectors, NetworkPolicies and
ServiceMonitors find a component whichever tool deployed it. Call with (dict "ctx" $ "component" "api").
*/}}
{{- define "findash.labels" -}}
helm.sh/chart: {{ include "findash.chart" .ctx }}
{{ include "findash.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/part-of: findash
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Pod selector: stable across upgrades, so never the version. */}}
{{- define "findash.selectorLabels" -}}
app.kubernetes.io/name: {{ include "findash.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "findash.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{/*
Hardening shared by every pod: numeric non-root user, RuntimeDefault seccomp. uid defaults to findash's 10001;
third-party images pass their own (postgres and rabbitmq 999, memcached 11211, the exporter 65534).
Call with (dict "uid" 10001).
*/}}
{{- define "findash.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .uid | default 10001 }}
runAsGroup: {{ .uid | default 10001 }}
fsGroup: {{ .uid | default 10001 }}
fsGroupChangePolicy: OnRootMismatch
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "findash.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop: ["ALL"]
{{- end -}}

{{/* The only writable path of the findash containers. */}}
{{- define "findash.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end -}}

{{- define "findash.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/*
A credential: the value given in values, else the one already stored in the release Secret (so upgrades keep
it), else a random one. Memoised in .Values so every template of one render (the Secret, the migration hook
Secret, the bundled PostgreSQL) sees the same generated value.
Call with (dict "ctx" $ "key" "postgres-owner-password" "value" .Values.postgresql.ownerPassword).
*/}}
{{- define "findash.credential" -}}
{{- $ctx := .ctx -}}
{{- if not (hasKey $ctx.Values "__credentials") -}}
{{- $_ := set $ctx.Values "__credentials" dict -}}
{{- end -}}
{{- $memo := get $ctx.Values "__credentials" -}}
{{- if not (hasKey $memo .key) -}}
{{- $value := .value -}}
{{- if not $value -}}
{{- $existing := lookup "v1" "Secret" $ctx.Release.Namespace (include "findash.fullname" $ctx) -}}
{{- if and $existing (hasKey (default dict $existing.data) .key) -}}
{{- $value = index $existing.data .key | b64dec -}}
{{- else -}}
{{- $value = randAlphaNum 32 -}}
{{- end -}}
{{- end -}}
{{- $_ := set $memo .key $value -}}
{{- end -}}
{{- get $memo .key -}}
{{- end -}}

{{- define "findash.postgresHost" -}}
{{- include "findash.componentName" (dict "ctx" . "component" "postgres") -}}
{{- end -}}

{{/* Inline database URLs: bundled PostgreSQL or externalDatabase.url/ownerUrl ("" when from a Secret). */}}
{{- define "findash.databaseUrl" -}}
{{- if .Values.postgresql.enabled -}}
{{- $pw := include "findash.credential" (dict "ctx" . "key" "postgres-app-password" "value" .Values.postgresql.appPassword) -}}
{{- printf "postgres://%s:%s@%s:5432/%s" .Values.postgresql.appUser $pw (include "findash.postgresHost" .) .Values.postgresql.database -}}
{{- else if not .Values.externalDatabase.existingSecret -}}
{{- .Values.externalDatabase.url -}}
{{- end -}}
{{- end -}}

{{- define "findash.databaseOwnerUrl" -}}
{{- if .Values.postgresql.enabled -}}
{{- $pw := include "findash.credential" (dict "ctx" . "key" "postgres-owner-password" "value" .Values.postgresql.ownerPassword) -}}
{{- printf "postgres://%s:%s@%s:5432/%s" .Values.postgresql.ownerUser $pw (include "findash.postgresHost" .) .Values.postgresql.database -}}
{{- else if not (include "findash.ownerSecretName" .) -}}
{{- default .Values.externalDatabase.url .Values.externalDatabase.ownerUrl -}}
{{- end -}}
{{- end -}}

{{- define "findash.ownerSecretName" -}}
{{- if not .Values.postgresql.enabled -}}
{{- default .Values.externalDatabase.existingSecret .Values.externalDatabase.ownerExistingSecret -}}
{{- end -}}
{{- end -}}

{{- define "findash.amqpUrl" -}}
{{- if .Values.rabbitmq.enabled -}}
{{- $pw := include "findash.credential" (dict "ctx" . "key" "rabbitmq-password" "value" .Values.rabbitmq.password) -}}
{{- printf "amqp://%s:%s@%s:5672" .Values.rabbitmq.user $pw (include "findash.componentName" (dict "ctx" . "component" "rabbitmq")) -}}
{{- else if not .Values.externalAmqp.existingSecret -}}
{{- .Values.externalAmqp.url -}}
{{- end -}}
{{- end -}}

{{/* Refuse configurations that would deploy an API with nowhere to store data. */}}
{{- define "findash.validate" -}}
{{- if and .Values.postgresql.enabled (or .Values.externalDatabase.url .Values.externalDatabase.existingSecret) -}}
{{- fail "postgresql.enabled and externalDatabase are exclusive: use the bundled PostgreSQL or an external one" -}}
{{- end -}}
{{- if not (or .Values.postgresql.enabled .Values.externalDatabase.url .Values.externalDatabase.existingSecret) -}}
{{- fail "no database: set postgresql.enabled=true (development/testing) or externalDatabase.url / externalDatabase.existingSecret" -}}
{{- end -}}
{{- if and .Values.rabbitmq.enabled (or .Values.externalAmqp.url .Values.externalAmqp.existingSecret) -}}
{{- fail "rabbitmq.enabled and externalAmqp are exclusive" -}}
{{- end -}}
{{- if and .Values.operator.enabled (gt (int .Values.operator.replicaCount) 1) (not .Values.operator.leaderElection) -}}
{{- fail "operator.replicaCount > 1 needs operator.leaderElection=true, or replicas would reconcile the same Tenants at once" -}}
{{- end -}}
{{- if and .Values.ingress.enabled .Values.ingress.tls.enabled (not .Values.ingress.tls.secretName) -}}
{{- fail "ingress.tls.enabled needs ingress.tls.secretName" -}}
{{- end -}}
{{- end -}}

{{/*
DATABASE_URL alone: the app role, which owns no table and is bound by row-level security. The API container
gets only this, so a compromised API process cannot bypass RLS or change the schema.
Call with (dict "ctx" $ "secret" "<name of the Secret holding inline URLs>").
*/}}
{{- define "findash.databaseAppEnv" -}}
{{- $ctx := .ctx -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
{{- if and (not $ctx.Values.postgresql.enabled) $ctx.Values.externalDatabase.existingSecret }}
      name: {{ $ctx.Values.externalDatabase.existingSecret }}
      key: {{ $ctx.Values.externalDatabase.existingSecretUrlKey }}
{{- else }}
      name: {{ .secret }}
      key: database-url
{{- end }}
{{- end -}}

{{/*
Environment for the migrations: DATABASE_URL (the app role they grant to) and DATABASE_OWNER_URL (the owner they
run as). Call with (dict "ctx" $ "secret" "<name of the Secret holding inline URLs>").
*/}}
{{- define "findash.databaseEnv" -}}
{{- $ctx := .ctx -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
{{- if and (not $ctx.Values.postgresql.enabled) $ctx.Values.externalDatabase.existingSecret }}
      name: {{ $ctx.Values.externalDatabase.existingSecret }}
      key: {{ $ctx.Values.externalDatabase.existingSecretUrlKey }}
{{- else }}
      name: {{ .secret }}
      key: database-url
{{- end }}
- name: DATABASE_OWNER_URL
  valueFrom:
    secretKeyRef:
{{- with include "findash.ownerSecretName" $ctx }}
      name: {{ . }}
      key: {{ $ctx.Values.externalDatabase.ownerExistingSecretUrlKey }}
{{- else }}
      name: {{ .secret }}
      key: database-owner-url
{{- end }}
{{- end -}}

{{/* AMQP_URL when a broker is configured (unset: events wait in the outbox). */}}
{{- define "findash.amqpEnv" -}}
{{- if and (not .Values.rabbitmq.enabled) .Values.externalAmqp.existingSecret }}
- name: AMQP_URL
  valueFrom:
    secretKeyRef:
      name: {{ .Values.externalAmqp.existingSecret }}
      key: {{ .Values.externalAmqp.existingSecretUrlKey }}
{{- else if include "findash.amqpUrl" . }}
- name: AMQP_URL
  valueFrom:
    secretKeyRef:
      name: {{ include "findash.fullname" . }}
      key: amqp-url
{{- end }}
{{- end -}}

{{- define "findash.memcachedServers" -}}
{{- $svc := include "findash.componentName" (dict "ctx" . "component" "memcached") -}}
{{- $servers := list -}}
{{- range $i := until (int .Values.memcached.replicaCount) -}}
{{- $servers = append $servers (printf "%s-%d.%s.%s.svc:11211" $svc $i $svc $.Release.Namespace) -}}
{{- end -}}
{{- join "," $servers -}}
{{- end -}}

{{- define "findash.operatorServiceAccountName" -}}
{{- default (include "findash.componentName" (dict "ctx" . "component" "operator")) .Values.operator.serviceAccount.name -}}
{{- end -}}

{{/* A NetworkPolicy peer selecting one component's pods. */}}
{{- define "findash.netpolFrom" -}}
- podSelector:
    matchLabels:
      {{- include "findash.selectorLabels" (dict "ctx" .ctx "component" .component) | nindent 6 }}
{{- end -}}

{{/* The API's URL for clients: operator.apiUrl, else the ingress URL, else the in-cluster Service URL. */}}
{{- define "findash.apiUrl" -}}
{{- if .Values.operator.apiUrl -}}
{{- .Values.operator.apiUrl -}}
{{- else if .Values.ingress.enabled -}}
{{- printf "%s://%s" (ternary "https" "http" .Values.ingress.tls.enabled) .Values.ingress.host -}}
{{- else -}}
{{- printf "http://%s.%s.svc:%v" (include "findash.componentName" (dict "ctx" . "component" "api")) .Release.Namespace .Values.api.port -}}
{{- end -}}
{{- end -}}

{{/*
Preferred pod anti-affinity on the hostname: one replica per node where the cluster has enough, never a pod left
unscheduled. The cdk8s manifests write the same (cdk8s/lib/scheduling.ts). Call with (dict "ctx" $ "component" "api").
*/}}
{{- define "findash.oneReplicaPerNode" -}}
podAntiAffinity:
  preferredDuringSchedulingIgnoredDuringExecution:
    - weight: 100
      podAffinityTerm:
        topologyKey: kubernetes.io/hostname
        labelSelector:
          matchLabels:
            {{- include "findash.selectorLabels" . | nindent 12 }}
{{- end -}}
