{{/* The pod template of the backend, shared by the Deployment and the DaemonSet. */}}

{{- define "orfeas.podTemplate" -}}
{{- $apiKeysSecret := include "orfeas.apiKeysSecret" . }}
{{- $metricsTokenSecret := include "orfeas.metricsTokenSecret" . }}
{{- $gpuMode := .Values.gpu.mode | default (ternary "auto" "off" .Values.gpu.enabled) }}
{{- $env := dict "PORT" (toString .Values.containerPort) "ORFEAS_DATA_DIR" "/data" "NODE_ENV" "production" "ORFEAS_GPU" $gpuMode }}
{{- $config := dict "ORFEAS_TRUST_PROXY" .Values.config.trustProxy "ORFEAS_MIN_FREE_BYTES" .Values.config.minFreeBytes "ORFEAS_RETENTION" .Values.config.retention "WORKER_CONCURRENCY" .Values.config.workerConcurrency "LOG_LEVEL" .Values.config.logLevel }}
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
{{- $env = mergeOverwrite $env .Values.env }}
{{- $resources := deepCopy .Values.resources }}
{{- if and .Values.gpu.enabled (gt (int .Values.gpu.count) 0) }}
{{- $limits := $resources.limits | default dict }}
{{- $_ := set $limits .Values.gpu.resourceName (int .Values.gpu.count) }}
{{- $_ := set $resources "limits" $limits }}
{{- end }}
{{- $nodeSelector := .Values.nodeSelector }}
{{- $tolerations := .Values.tolerations }}
{{- if .Values.gpu.enabled }}
{{- $nodeSelector = merge (deepCopy .Values.nodeSelector) .Values.gpu.nodeSelector }}
{{- $tolerations = concat .Values.tolerations .Values.gpu.tolerations }}
{{- end -}}
metadata:
  labels:
    {{- include "orfeas.labels" . | nindent 4 }}
    app.kubernetes.io/component: backend
    {{- with .Values.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if or .Values.podAnnotations .Values.apiKeys.keysFile .Values.metricsToken.token }}
  annotations:
    {{- if or .Values.apiKeys.keysFile .Values.metricsToken.token }}
    # A new key or token in the chart's Secret restarts the backend, which reads them at start.
    checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
    {{- end }}
    {{- with .Values.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
spec:
  serviceAccountName: {{ include "orfeas.serviceAccountName" . }}
  # The backend never calls the Kubernetes API.
  automountServiceAccountToken: false
  # No FOO_SERVICE_HOST / ORFEAS_PORT=tcp://... variables beside the backend's own.
  enableServiceLinks: false
  {{- with .Values.imagePullSecrets }}
  imagePullSecrets:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  securityContext:
    {{- toYaml .Values.podSecurityContext | nindent 4 }}
  {{- if and .Values.gpu.enabled .Values.gpu.runtimeClassName }}
  runtimeClassName: {{ .Values.gpu.runtimeClassName }}
  {{- end }}
  {{- with .Values.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ .Values.terminationGracePeriodSeconds }}
  containers:
    - name: backend
      image: {{ include "orfeas.image" . | quote }}
      imagePullPolicy: {{ .Values.image.pullPolicy }}
      ports:
        - name: http
          containerPort: {{ .Values.containerPort }}
          protocol: TCP
      env:
        {{- range $name, $value := $env }}
        - name: {{ $name }}
          value: {{ include "orfeas.envValue" $value | quote }}
        {{- end }}
        {{- with .Values.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      startupProbe:
        {{- toYaml .Values.probes.startup | nindent 8 }}
      livenessProbe:
        {{- toYaml .Values.probes.liveness | nindent 8 }}
      readinessProbe:
        {{- toYaml .Values.probes.readiness | nindent 8 }}
      {{- with $resources }}
      resources:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        {{- toYaml .Values.securityContext | nindent 8 }}
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
  {{- with .Values.affinity }}
  affinity:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  volumes:
    - name: data
      {{- include "orfeas.dataVolume" . | nindent 6 }}
    - name: tmp
      emptyDir:
        sizeLimit: {{ .Values.tmp.sizeLimit }}
    {{- if $apiKeysSecret }}
    - name: api-keys
      secret:
        secretName: {{ $apiKeysSecret }}
        items:
          - key: {{ include "orfeas.apiKeysSecretKey" . }}
            path: keys
        defaultMode: 288 # 0440: the owner and fsGroup 10001 read it
    {{- end }}
    {{- if $metricsTokenSecret }}
    - name: metrics-token
      secret:
        secretName: {{ $metricsTokenSecret }}
        items:
          - key: {{ include "orfeas.metricsTokenSecretKey" . }}
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
