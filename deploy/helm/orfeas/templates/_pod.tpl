{{/*
The pod template of the backend, shared by every workload. Called with dict "root" (the chart's
context) and "tier": "backend" (the one backend on SQLite, a Deployment or a DaemonSet), or, in
the Redis mode, "api" (ORFEAS_WORKERS=0, no GPU) and "worker" (ORFEAS_API=off, the GPU settings).
The api and worker values (resources, nodeSelector, tolerations, affinity, env) add to or replace
the top-level ones for their tier.
*/}}

{{- define "orfeas.podTemplate" -}}
{{- $root := .root }}
{{- $tier := .tier }}
{{- $values := $root.Values }}
{{- $fleet := ne $tier "backend" }}
{{- $tierValues := ternary (index $values $tier | default dict) dict $fleet }}
{{- $apiKeysSecret := include "orfeas.apiKeysSecret" $root }}
{{- $metricsTokenSecret := include "orfeas.metricsTokenSecret" $root }}
{{- /* The API tier never runs a stage, so it neither claims nor watches a GPU. */}}
{{- $gpu := and $values.gpu.enabled (ne $tier "api") }}
{{- $gpuMode := ternary ($values.gpu.mode | default (ternary "auto" "off" $values.gpu.enabled)) "off" (ne $tier "api") }}
{{- $env := dict "PORT" (toString $values.containerPort) "ORFEAS_DATA_DIR" "/data" "NODE_ENV" "production" "ORFEAS_GPU" $gpuMode }}
{{- $config := dict "ORFEAS_TRUST_PROXY" $values.config.trustProxy "ORFEAS_MIN_FREE_BYTES" $values.config.minFreeBytes "ORFEAS_RETENTION" $values.config.retention "WORKER_CONCURRENCY" $values.config.workerConcurrency "LOG_LEVEL" $values.config.logLevel }}
{{- if $fleet }}
{{- /* A tier's job slots are ORFEAS_WORKERS below, never WORKER_CONCURRENCY. */}}
{{- $_ := unset $config "WORKER_CONCURRENCY" }}
{{- $_ := set $config "ORFEAS_REDIS_PREFIX" $values.redis.prefix }}
{{- $_ := set $config "ORFEAS_JOB_LOCK_MS" $values.redis.jobLockMs }}
{{- end }}
{{- range $name, $value := $config }}
{{- if ne (include "orfeas.envValue" $value) "" }}
{{- $_ := set $env $name $value }}
{{- end }}
{{- end }}
{{- if $apiKeysSecret }}
{{- $_ := set $env "ORFEAS_API_KEYS_FILE" "/etc/orfeas/api-keys/keys" }}
{{- end }}
{{- if $metricsTokenSecret }}
{{- $_ := set $env "METRICS_TOKEN_FILE" "/etc/orfeas/metrics-token/token" }}
{{- end }}
{{- $env = mergeOverwrite $env $values.env ($tierValues.env | default dict) }}
{{- /* The role of a tier is what the tier is: no env value turns it into the other. */}}
{{- if eq $tier "api" }}
{{- $_ := set $env "ORFEAS_WORKERS" "0" }}
{{- $_ := unset $env "ORFEAS_API" }}
{{- else if eq $tier "worker" }}
{{- $_ := set $env "ORFEAS_API" "off" }}
{{- $_ := set $env "ORFEAS_WORKERS" $values.worker.jobSlots }}
{{- end }}
{{- $resources := deepCopy ($tierValues.resources | default $values.resources) }}
{{- if and $gpu (gt (int $values.gpu.count) 0) }}
{{- $limits := $resources.limits | default dict }}
{{- $_ := set $limits $values.gpu.resourceName (int $values.gpu.count) }}
{{- $_ := set $resources "limits" $limits }}
{{- end }}
{{- $nodeSelector := merge (deepCopy ($tierValues.nodeSelector | default dict)) $values.nodeSelector }}
{{- $tolerations := concat $values.tolerations ($tierValues.tolerations | default list) }}
{{- if $gpu }}
{{- $nodeSelector = merge $nodeSelector $values.gpu.nodeSelector }}
{{- $tolerations = concat $tolerations $values.gpu.tolerations }}
{{- end }}
{{- $affinity := $tierValues.affinity | default $values.affinity -}}
metadata:
  labels:
    {{- include "orfeas.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ $tier }}
    {{- with $values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if or $values.podAnnotations $values.apiKeys.keysFile $values.metricsToken.token $values.redis.url }}
  annotations:
    {{- if or $values.apiKeys.keysFile $values.metricsToken.token $values.redis.url }}
    # A new key, token or Redis URL in the chart's Secret restarts the backend, which reads them at start.
    checksum/secret: {{ include (print $root.Template.BasePath "/secret.yaml") $root | sha256sum }}
    {{- end }}
    {{- with $values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
spec:
  serviceAccountName: {{ include "orfeas.serviceAccountName" $root }}
  # The backend never calls the Kubernetes API.
  automountServiceAccountToken: false
  # No FOO_SERVICE_HOST / ORFEAS_PORT=tcp://... variables beside the backend's own.
  enableServiceLinks: false
  {{- with $values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml $values.podSecurityContext | nindent 4 }}
  {{- if and $gpu $values.gpu.runtimeClassName }}
  runtimeClassName: {{ $values.gpu.runtimeClassName }}
  {{- end }}
  {{- with $values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ $values.terminationGracePeriodSeconds }}
  containers:
    - name: backend
      image: {{ include "orfeas.image" $root | quote }}
      imagePullPolicy: {{ $values.image.pullPolicy }}
      ports:
        - name: http
          containerPort: {{ $values.containerPort }}
          protocol: TCP
      env:
        {{- range $name, $value := $env }}
        - name: {{ $name }}
          value: {{ include "orfeas.envValue" $value | quote }}
        {{- end }}
        {{- if $fleet }}
        # Only ever from the Secret: the URL may hold Redis' password.
        - name: ORFEAS_REDIS_URL
          valueFrom:
            secretKeyRef:
              name: {{ include "orfeas.redisSecret" $root }}
              key: {{ include "orfeas.redisSecretKey" $root }}
        {{- end }}
        {{- with $values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      startupProbe:
        {{- toYaml $values.probes.startup | nindent 8 }}
      livenessProbe:
        {{- toYaml $values.probes.liveness | nindent 8 }}
      readinessProbe:
        {{- toYaml $values.probes.readiness | nindent 8 }}
      {{- with $resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml $values.securityContext | nindent 8 }}
      volumeMounts:
        - name: data
          mountPath: /data
        - name: tmp
          mountPath: /tmp
        {{- if $apiKeysSecret }}
        - name: api-keys
          mountPath: /etc/orfeas/api-keys
          readOnly: true
        {{- end }}
        {{- if $metricsTokenSecret }}
        - name: metrics-token
          mountPath: /etc/orfeas/metrics-token
          readOnly: true
        {{- end }}
  {{- with $nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumes:
    - name: data
      {{- if $fleet }}
      # The one data directory of the fleet, shared by every pod of both tiers (ReadWriteMany).
      persistentVolumeClaim:
        claimName: {{ include "orfeas.sharedClaim" $root }}
      {{- else }}
      {{- include "orfeas.dataVolume" $root | nindent 6 }}
      {{- end }}
    - name: tmp
      emptyDir:
        sizeLimit: {{ $values.tmp.sizeLimit }}
    {{- if $apiKeysSecret }}
    - name: api-keys
      secret:
        secretName: {{ $apiKeysSecret }}
        items:
          - key: {{ include "orfeas.apiKeysSecretKey" $root }}
            path: keys
        defaultMode: 288 # 0440: the owner and fsGroup 10001 read it
    {{- end }}
    {{- if $metricsTokenSecret }}
    - name: metrics-token
      secret:
        secretName: {{ $metricsTokenSecret }}
        items:
          - key: {{ include "orfeas.metricsTokenSecretKey" $root }}
            path: token
        defaultMode: 288 # 0440
    {{- end }}
{{- end }}

{{/* /data: the claim of a Deployment, or the node's own directory for a DaemonSet. */}}
{{- define "orfeas.dataVolume" -}}
{{- if eq .Values.kind "DaemonSet" }}
{{- if .Values.daemonSet.dataDir.hostPath -}}
hostPath:
  path: {{ .Values.daemonSet.dataDir.hostPath }}
  # Directory, not DirectoryOrCreate: a directory the kubelet made would belong to root.
  type: Directory
{{- else -}}
emptyDir:
  sizeLimit: {{ .Values.daemonSet.dataDir.emptyDirSizeLimit }}
{{- end }}
{{- else if .Values.persistence.enabled -}}
persistentVolumeClaim:
  claimName: {{ .Values.persistence.existingClaim | default (include "orfeas.fullname" .) }}
{{- else -}}
emptyDir: {}
{{- end }}
{{- end }}
