{{/*
Names, labels and small values shared by every template.

Component templates receive a dict with "ctx" (the root context) and
"component" (onboarding, access, workqueue, router, audit, console or
migrations).
*/}}

{{/* The services, in the order they are documented. */}}
{{- define "backdesk.services" -}}
onboarding access workqueue router audit console
{{- end }}

{{/* Chart name, for the app.kubernetes.io/name label. */}}
{{- define "backdesk.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every object name. */}}
{{- define "backdesk.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Name of one component's objects: "<fullname>-<component>". */}}
{{- define "backdesk.componentName" -}}
{{- printf "%s-%s" (include "backdesk.fullname" .ctx) .component | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* "name-version" for the helm.sh/chart label. */}}
{{- define "backdesk.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that identify the release's pods; the default-deny policy selects on them. */}}
{{- define "backdesk.releaseSelectorLabels" -}}
app.kubernetes.io/name: {{ include "backdesk.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every object that is not tied to one component. */}}
{{- define "backdesk.labels" -}}
helm.sh/chart: {{ include "backdesk.chart" . }}
{{ include "backdesk.releaseSelectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: backdesk
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of one component's pods. */}}
{{- define "backdesk.selectorLabels" -}}
{{ include "backdesk.releaseSelectorLabels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Labels on one component's objects. */}}
{{- define "backdesk.componentLabels" -}}
{{ include "backdesk.labels" .ctx }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* ServiceAccount of one service. */}}
{{- define "backdesk.serviceAccountName" -}}
{{- $c := index .ctx.Values .component }}
{{- if $c.serviceAccount.create }}
{{- default (include "backdesk.componentName" .) $c.serviceAccount.name }}
{{- else }}
{{- default "default" $c.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference for one component: repository[:tag][@digest].
A tag of the form "tag@sha256:..." (what skaffold passes) is split, and a
trailing "@" with no digest is dropped.
*/}}
{{- define "backdesk.image" -}}
{{- $v := .ctx.Values }}
{{- $img := .image }}
{{- $repo := $img.repository }}
{{- if not $repo }}
{{- $repo = printf "backdesk-%s" .component }}
{{- if $v.image.registry }}
{{- $repo = printf "%s/%s" (trimSuffix "/" $v.image.registry) $repo }}
{{- end }}
{{- end }}
{{- $tag := $img.tag | default $v.image.tag | default .ctx.Chart.AppVersion | toString }}
{{- $digest := $img.digest }}
{{- if contains "@" $tag }}
{{- $parts := splitn "@" 2 $tag }}
{{- $tag = $parts._0 }}
{{- if $parts._1 }}
{{- $digest = $parts._1 }}
{{- end }}
{{- end }}
{{- $repo }}{{ if $tag }}:{{ $tag }}{{ end }}{{ if $digest }}@{{ $digest }}{{ end }}
{{- end }}

{{/* True (non-empty) when something other than the Deployment owns the replica count. */}}
{{- define "backdesk.autoscaled" -}}
{{- $c := index .ctx.Values .component }}
{{- if $c.autoscaling.enabled }}true{{ end }}
{{- if and (eq .component "router") $c.keda.enabled }}true{{ end }}
{{- end }}

{{/* Pod-level security context: non-root, RuntimeDefault seccomp. */}}
{{- define "backdesk.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
fsGroup: {{ .Values.securityContext.fsGroup }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container-level security context: read-only root, no privilege escalation, no capabilities. */}}
{{- define "backdesk.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsGroup }}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* An EnvVar read from a Secret named by a {name, key} reference. */}}
{{- define "backdesk.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ required (printf "%s: the Secret name is required" .path) .ref.name }}
      key: {{ required (printf "%s: the Secret key is required" .path) .ref.key }}
{{- end }}

{{/* "k=v,k=v" from a map, in key order (Go templates range over maps sorted). */}}
{{- define "backdesk.pairs" -}}
{{- $pairs := list }}
{{- range $k, $v := . }}
{{- $pairs = append $pairs (printf "%s=%v" $k $v) }}
{{- end }}
{{- join "," $pairs }}
{{- end }}

{{/* Volume and mount for a trusted extra CA bundle, and the variable that makes Go read it. */}}
{{- define "backdesk.caMountPath" -}}/etc/backdesk/ca{{- end }}

{{/* Environment shared by the services and the migration Job: logging and tracing. */}}
{{- define "backdesk.commonEnv" -}}
{{- $v := .ctx.Values -}}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: BACKDESK_LOG_LEVEL
  value: {{ $v.config.logLevel | quote }}
- name: GOMEMLIMIT
  valueFrom:
    resourceFieldRef:
      containerName: {{ .component }}
      resource: limits.memory
- name: OTEL_SERVICE_NAME
  value: {{ printf "backdesk-%s" .component | quote }}
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "service.namespace=backdesk,service.instance.id=$(POD_NAME),k8s.namespace.name=$(POD_NAMESPACE),k8s.pod.name=$(POD_NAME)%s" (include "backdesk.pairs" $v.config.otel.resourceAttributes | printf ",%s" | trimSuffix ",") | quote }}
{{- with $v.config.otel.endpoint }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ . | quote }}
{{- end }}
{{- if $v.config.extraCA.secretName }}
- name: SSL_CERT_DIR
  value: {{ include "backdesk.caMountPath" . }}
{{- end }}
{{- end }}

{{/* config.auditRetention, refused when shorter than six years (2192 days) as the services would refuse it at start-up. A year counts 365 days plus the leap days it may hold, as BACKDESK_AUDIT_RETENTION reads it. */}}
{{- define "backdesk.auditRetention" -}}
{{- $r := toString .Values.config.auditRetention }}
{{- $n := trimSuffix "y" (trimSuffix "d" $r) | atoi }}
{{- $days := $n }}
{{- if hasSuffix "y" $r }}
{{- $days = add (mul $n 365) (div (add $n 3) 4) }}
{{- end }}
{{- if lt (int $days) 2192 }}
{{- fail (printf "config.auditRetention %q is shorter than six years (2192d or 6y): HIPAA requires audit records to be kept six years" $r) }}
{{- end }}
{{- $r }}
{{- end }}

{{/* Environment of one service container. */}}
{{- define "backdesk.serviceEnv" -}}
{{- $v := .ctx.Values }}
{{- $c := index $v .component }}
{{- include "backdesk.commonEnv" . }}
- name: BACKDESK_ADDR
  value: ":8080"
- name: BACKDESK_PUBLIC_URL
  value: {{ required "config.publicURL is required" $v.config.publicURL | quote }}
- name: BACKDESK_SHUTDOWN_TIMEOUT
  value: {{ $v.config.shutdownTimeout | quote }}
- name: BACKDESK_AUDIT_RETENTION
  value: {{ include "backdesk.auditRetention" .ctx | quote }}
{{ include "backdesk.secretEnv" (dict "env" "BACKDESK_DATABASE_URL" "ref" $v.secrets.database "path" "secrets.database") }}
{{ include "backdesk.secretEnv" (dict "env" "BACKDESK_REDIS_URL" "ref" $v.secrets.redis "path" "secrets.redis") }}
{{- with $v.config.oidc }}
{{- if .issuer }}
- name: BACKDESK_OIDC_ISSUER
  value: {{ .issuer | quote }}
- name: BACKDESK_OIDC_CLIENT_ID
  value: {{ required "config.oidc.clientID is required when config.oidc.issuer is set" .clientID | quote }}
{{- end }}
- name: BACKDESK_OIDC_ROLES_CLAIM
  value: {{ .rolesClaim | quote }}
- name: BACKDESK_OIDC_SCOPES
  value: {{ .scopes | quote }}
{{- if .acceptIDTokenBearers }}
- name: BACKDESK_OIDC_ACCEPT_ID_TOKEN_BEARERS
  value: "true"
{{- end }}
{{- if and .recheckInterval (ne $.component "router") }}
- name: BACKDESK_OIDC_RECHECK_INTERVAL
  value: {{ .recheckInterval | quote }}
{{- end }}
{{- if .roleMap }}
- name: BACKDESK_OIDC_ROLE_MAP
  value: {{ include "backdesk.pairs" .roleMap | quote }}
{{- end }}
{{- end }}
{{- if eq .component "console" }}
- name: BACKDESK_API_URL
  value: {{ include "backdesk.apiURL" .ctx | quote }}
{{- if $v.console.apiInCluster }}
- name: BACKDESK_API_ROUTES
  value: {{ include "backdesk.apiRoutes" .ctx | quote }}
{{- end }}
{{- end }}
{{- /* Re-checks redeem refresh tokens in every service that sees browser
sessions, with the client's credentials. */}}
{{- if or $c.secretEnv.oidcClientSecret (and $v.config.oidc.recheckInterval (ne .component "router")) }}
{{ include "backdesk.secretEnv" (dict "env" "BACKDESK_OIDC_CLIENT_SECRET" "ref" $v.secrets.oidcClientSecret "path" "secrets.oidcClientSecret") }}
{{- end }}
{{- if $c.secretEnv.auditSigningKey }}
{{- if eq .component "audit" }}
{{- fail "audit.secretEnv.auditSigningKey: the audit service only checks checkpoints, with config.auditVerifyKey; the signing key goes to the router alone" }}
{{- end }}
{{ include "backdesk.secretEnv" (dict "env" "BACKDESK_AUDIT_SIGNING_KEY" "ref" $v.secrets.auditSigningKey "path" "secrets.auditSigningKey") }}
{{- end }}
{{- if or (eq .component "router") (eq .component "workqueue") }}
{{- with $v.config.messages }}
{{- if eq .textProvider "twilio" }}
- name: BACKDESK_TEXT_PROVIDER
  value: "twilio"
- name: BACKDESK_TWILIO_ACCOUNT_SID
  value: {{ required "config.messages.twilio.accountSID is required when textProvider is twilio" .twilio.accountSID | quote }}
{{- with .twilio.from }}
- name: BACKDESK_TWILIO_FROM
  value: {{ . | quote }}
{{- end }}
{{- with .twilio.messagingServiceSID }}
- name: BACKDESK_TWILIO_MESSAGING_SERVICE_SID
  value: {{ . | quote }}
{{- end }}
{{ include "backdesk.secretEnv" (dict "env" "BACKDESK_TWILIO_AUTH_TOKEN" "ref" $v.secrets.twilioAuthToken "path" "secrets.twilioAuthToken") }}
- name: BACKDESK_TWILIO_AUTH_TOKEN_REF
  value: "env:BACKDESK_TWILIO_AUTH_TOKEN"
{{- else if .textProvider }}
{{- fail (printf "config.messages.textProvider %q: must be twilio or empty" .textProvider) }}
{{- end }}
{{- if eq .emailProvider "smtp" }}
- name: BACKDESK_EMAIL_PROVIDER
  value: "smtp"
- name: BACKDESK_SMTP_HOST
  value: {{ required "config.messages.smtp.host is required when emailProvider is smtp" .smtp.host | quote }}
- name: BACKDESK_SMTP_PORT
  value: {{ .smtp.port | quote }}
- name: BACKDESK_SMTP_TLS
  value: {{ .smtp.tls | quote }}
- name: BACKDESK_SMTP_FROM
  value: {{ required "config.messages.smtp.from is required when emailProvider is smtp" .smtp.from | quote }}
{{- with .smtp.fromName }}
- name: BACKDESK_SMTP_FROM_NAME
  value: {{ . | quote }}
{{- end }}
{{- with .smtp.username }}
- name: BACKDESK_SMTP_USERNAME
  value: {{ . | quote }}
{{ include "backdesk.secretEnv" (dict "env" "BACKDESK_SMTP_PASSWORD" "ref" $v.secrets.smtpPassword "path" "secrets.smtpPassword") }}
- name: BACKDESK_SMTP_PASSWORD_REF
  value: "env:BACKDESK_SMTP_PASSWORD"
{{- end }}
{{- else if .emailProvider }}
{{- fail (printf "config.messages.emailProvider %q: must be smtp or empty" .emailProvider) }}
{{- end }}
{{- if .keywordAnswers }}
- name: BACKDESK_TEXT_KEYWORD_ANSWERS
  value: "true"
{{- end }}
{{- end }}
{{- end }}
{{- if and (eq .component "workqueue") (eq $v.config.payments.provider "stripe") }}
- name: BACKDESK_PAYMENT_PROVIDER
  value: "stripe"
{{ include "backdesk.secretEnv" (dict "env" "BACKDESK_STRIPE_SECRET_KEY" "ref" $v.secrets.stripeSecretKey "path" "secrets.stripeSecretKey") }}
- name: BACKDESK_STRIPE_SECRET_KEY_REF
  value: "env:BACKDESK_STRIPE_SECRET_KEY"
{{ include "backdesk.secretEnv" (dict "env" "BACKDESK_STRIPE_WEBHOOK_SECRET" "ref" $v.secrets.stripeWebhookSecret "path" "secrets.stripeWebhookSecret") }}
- name: BACKDESK_STRIPE_WEBHOOK_SECRET_REF
  value: "env:BACKDESK_STRIPE_WEBHOOK_SECRET"
{{- end }}
{{- with $v.config.auditVerifyKey }}
- name: BACKDESK_AUDIT_VERIFY_KEY
  value: {{ . | quote }}
{{- end }}
{{- with $v.config.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with $c.env }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Where the console calls the JSON API (BACKDESK_API_URL): console.apiURL, else
config.publicURL. The console sends each call with this URL's host name, so it
must be one the Ingress or HTTPRoute serves.
*/}}
{{/* BACKDESK_API_ROUTES: every API service's paths, each to its Service
inside the cluster ("/api/v1/work=http://<release>-workqueue.<ns>.svc:80,…"),
from the same path table the Ingress routes by. */}}
{{- define "backdesk.apiRoutes" -}}
{{- $root := . }}
{{- $out := list }}
{{- range splitList " " (include "backdesk.services" .) }}
{{- if ne . "console" }}
{{- $svc := printf "http://%s.%s.svc:%v" (include "backdesk.componentName" (dict "ctx" $root "component" .)) $root.Release.Namespace $root.Values.service.port }}
{{- range (index $root.Values . "paths") }}
{{- $out = append $out (printf "%s=%s" . $svc) }}
{{- end }}
{{- end }}
{{- end }}
{{- join "," $out }}
{{- end }}

{{- define "backdesk.apiURL" -}}
{{- .Values.console.apiURL | default .Values.config.publicURL }}
{{- end }}

{{/* The pathType (Ingress) or match type (HTTPRoute) of a routed path: "/" alone is the console's home page and is matched exactly, so that it does not catch every path no service claims (/metrics and the probes among them); every other path is a prefix. */}}
{{- define "backdesk.pathIsExact" -}}
{{- if eq . "/" }}true{{ end }}
{{- end }}

{{/*
Fails the install when two services claim the same path, which the Ingress or
Gateway would otherwise settle by picking one of them silently. A trailing
slash does not make another path.
*/}}
{{- define "backdesk.checkPaths" -}}
{{- $owners := dict }}
{{- range $component := splitList " " (include "backdesk.services" $) }}
{{- range (index $.Values $component).paths }}
{{- $path := . }}
{{- if ne $path "/" }}
{{- $path = trimSuffix "/" $path }}
{{- end }}
{{- with get $owners $path }}
{{- fail (printf "path %q is claimed by both %s and %s: each path may go to one service only" $path . $component) }}
{{- end }}
{{- $_ := set $owners $path $component }}
{{- end }}
{{- end }}
{{- end }}

{{/* Scheduling fields shared by every pod: a component's own settings replace the global ones. */}}
{{- define "backdesk.scheduling" -}}
{{- $v := .ctx.Values }}
{{- $c := index $v .component }}
{{- with ($c.nodeSelector | default $v.nodeSelector) }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with ($c.tolerations | default $v.tolerations) }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with ($c.affinity | default $v.affinity) }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with $v.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $v.hostAliases }}
hostAliases:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
