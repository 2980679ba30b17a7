{{/*
The objects every Backdesk service has. Each service's folder holds one small
file per object that includes the definition below with its own name, so a
service's objects are found in its folder and are all built the same way.
*/}}

{{- define "backdesk.deployment" -}}
{{- $root := .ctx }}
{{- $v := $root.Values }}
{{- $c := index $v .component }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "backdesk.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "backdesk.componentLabels" . | nindent 4 }}
spec:
  {{- if not (include "backdesk.autoscaled" .) }}
  replicas: {{ $c.replicas }}
  {{- end }}
  revisionHistoryLimit: {{ $v.revisionHistoryLimit }}
  selector:
    matchLabels:
      {{- include "backdesk.selectorLabels" . | nindent 6 }}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 25%
  template:
    metadata:
      labels:
        {{- include "backdesk.selectorLabels" . | nindent 8 }}
        app.kubernetes.io/version: {{ $root.Chart.AppVersion | quote }}
        app.kubernetes.io/part-of: backdesk
        {{- with (merge (dict) $c.podLabels $v.podLabels) }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with (merge (dict) $c.podAnnotations $v.podAnnotations) }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      serviceAccountName: {{ include "backdesk.serviceAccountName" . }}
      automountServiceAccountToken: false
      enableServiceLinks: false
      terminationGracePeriodSeconds: {{ $v.terminationGracePeriodSeconds }}
      securityContext:
        {{- include "backdesk.podSecurityContext" $root | nindent 8 }}
      {{- with (include "backdesk.scheduling" . | trim) }}
      {{- . | nindent 6 }}
      {{- end }}
      topologySpreadConstraints:
        {{- if $c.topologySpreadConstraints }}
        {{- toYaml $c.topologySpreadConstraints | nindent 8 }}
        {{- else if $v.topologySpread.enabled }}
        {{- range list "topology.kubernetes.io/zone" "kubernetes.io/hostname" }}
        - maxSkew: 1
          topologyKey: {{ . }}
          whenUnsatisfiable: {{ $v.topologySpread.whenUnsatisfiable }}
          labelSelector:
            matchLabels:
              {{- include "backdesk.selectorLabels" $ | nindent 14 }}
          matchLabelKeys:
            - pod-template-hash
        {{- end }}
        {{- else }} []
        {{- end }}
      containers:
        - name: {{ .component }}
          image: {{ include "backdesk.image" (dict "ctx" $root "component" .component "image" $c.image) | quote }}
          imagePullPolicy: {{ $v.image.pullPolicy }}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
            {{- include "backdesk.serviceEnv" . | nindent 12 }}
          startupProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: {{ $v.probes.startup.periodSeconds }}
            timeoutSeconds: {{ $v.probes.startup.timeoutSeconds }}
            failureThreshold: {{ $v.probes.startup.failureThreshold }}
          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            periodSeconds: {{ $v.probes.liveness.periodSeconds }}
            timeoutSeconds: {{ $v.probes.liveness.timeoutSeconds }}
            failureThreshold: {{ $v.probes.liveness.failureThreshold }}
          readinessProbe:
            httpGet:
              path: /readyz
              port: http
            periodSeconds: {{ $v.probes.readiness.periodSeconds }}
            timeoutSeconds: {{ $v.probes.readiness.timeoutSeconds }}
            failureThreshold: {{ $v.probes.readiness.failureThreshold }}
          {{- if gt (int $v.preStopSleepSeconds) 0 }}
          {{- /* The API server refuses a preStop sleep as long as the grace period (it could never finish); say so at render time, for all Deployments at once. */}}
          {{- if ge (int $v.preStopSleepSeconds) (int $v.terminationGracePeriodSeconds) }}
          {{- fail (printf "preStopSleepSeconds (%d) must be less than terminationGracePeriodSeconds (%d): Kubernetes refuses a preStop sleep that would use the whole grace period, and the service needs time after it to finish its requests (config.shutdownTimeout)" (int $v.preStopSleepSeconds) (int $v.terminationGracePeriodSeconds)) }}
          {{- end }}
          lifecycle:
            preStop:
              sleep:
                seconds: {{ $v.preStopSleepSeconds }}
          {{- end }}
          resources:
            {{- toYaml $c.resources | nindent 12 }}
          securityContext:
            {{- include "backdesk.containerSecurityContext" $root | nindent 12 }}
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            {{- if $v.config.extraCA.secretName }}
            - name: extra-ca
              mountPath: {{ include "backdesk.caMountPath" . }}
              readOnly: true
            {{- end }}
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $v.tmpSizeLimit }}
        {{- if $v.config.extraCA.secretName }}
        - name: extra-ca
          secret:
            secretName: {{ $v.config.extraCA.secretName }}
            items:
              - key: {{ $v.config.extraCA.key }}
                path: ca.crt
        {{- end }}
{{- end }}

{{- define "backdesk.service" -}}
{{- $root := .ctx }}
apiVersion: v1
kind: Service
metadata:
  name: {{ include "backdesk.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "backdesk.componentLabels" . | nindent 4 }}
spec:
  type: {{ $root.Values.service.type }}
  selector:
    {{- include "backdesk.selectorLabels" . | nindent 4 }}
  ports:
    - name: http
      port: {{ $root.Values.service.port }}
      targetPort: http
      protocol: TCP
{{- end }}

{{- define "backdesk.serviceAccount" -}}
{{- $root := .ctx }}
{{- $c := index $root.Values .component }}
{{- if $c.serviceAccount.create }}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ include "backdesk.serviceAccountName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "backdesk.componentLabels" . | nindent 4 }}
  {{- with $c.serviceAccount.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
automountServiceAccountToken: false
{{- end }}
{{- end }}

{{- define "backdesk.hpa" -}}
{{- $root := .ctx }}
{{- $c := index $root.Values .component }}
{{- $keda := and (eq .component "router") $c.keda.enabled }}
{{- if and $c.autoscaling.enabled (not $keda) }}
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ include "backdesk.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "backdesk.componentLabels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ include "backdesk.componentName" . }}
  minReplicas: {{ $c.autoscaling.minReplicas }}
  maxReplicas: {{ $c.autoscaling.maxReplicas }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ $c.autoscaling.targetCPUUtilizationPercentage }}
    {{- if gt (int $c.autoscaling.targetMemoryUtilizationPercentage) 0 }}
    - type: Resource
      resource:
        name: memory
        target:
          type: Utilization
          averageUtilization: {{ $c.autoscaling.targetMemoryUtilizationPercentage }}
    {{- end }}
  behavior:
    scaleDown:
      stabilizationWindowSeconds: 300
{{- end }}
{{- end }}

{{- define "backdesk.pdb" -}}
{{- $root := .ctx }}
{{- $c := index $root.Values .component }}
{{- if $c.pdb.enabled }}
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ include "backdesk.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "backdesk.componentLabels" . | nindent 4 }}
spec:
  {{- if ne (toString $c.pdb.minAvailable) "" }}
  minAvailable: {{ $c.pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $c.pdb.maxUnavailable }}
  {{- end }}
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      {{- include "backdesk.selectorLabels" . | nindent 6 }}
{{- end }}
{{- end }}

{{- define "backdesk.serviceMonitor" -}}
{{- $root := .ctx }}
{{- $sm := $root.Values.monitoring.serviceMonitor }}
{{- if $sm.enabled }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ include "backdesk.componentName" . }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "backdesk.componentLabels" . | nindent 4 }}
    {{- with $sm.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  selector:
    matchLabels:
      {{- include "backdesk.selectorLabels" . | nindent 6 }}
  endpoints:
    - port: http
      path: /metrics
      interval: {{ $sm.interval }}
      scrapeTimeout: {{ $sm.scrapeTimeout }}
{{- end }}
{{- end }}
