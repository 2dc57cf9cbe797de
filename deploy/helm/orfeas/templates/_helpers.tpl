{{/* Names, labels and the values several templates derive from. */}}

{{- define "orfeas.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The release's name for its objects; a release named like the chart is not repeated. */}}
{{- define "orfeas.fullname" -}}
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

{{- define "orfeas.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The labels of every object; each template adds its app.kubernetes.io/component. */}}
{{- define "orfeas.labels" -}}
helm.sh/chart: {{ include "orfeas.chart" . }}
{{ include "orfeas.selectorLabels" . }}
app.kubernetes.io/version: {{ include "orfeas.imageTag" . | replace "+" "_" | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/part-of: orfeas
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "orfeas.selectorLabels" -}}
app.kubernetes.io/name: {{ include "orfeas.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "orfeas.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "orfeas.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "orfeas.imageTag" -}}
{{- .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{- define "orfeas.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (include "orfeas.imageTag" .) }}
{{- end }}
{{- end }}

{{/* The Secret a file comes from: an existing one, or the chart's when the content was given. */}}
{{- define "orfeas.apiKeysSecret" -}}
{{- if and .Values.apiKeys.existingSecret .Values.apiKeys.keysFile }}
{{- fail "apiKeys: set existingSecret or keysFile, not both" }}
{{- end }}
{{- if .Values.apiKeys.existingSecret }}
{{- .Values.apiKeys.existingSecret }}
{{- else if .Values.apiKeys.keysFile }}
{{- include "orfeas.fullname" . }}
{{- end }}
{{- end }}

{{- define "orfeas.apiKeysSecretKey" -}}
{{- ternary .Values.apiKeys.existingSecretKey "api-keys" (ne .Values.apiKeys.existingSecret "") }}
{{- end }}

{{- define "orfeas.metricsTokenSecret" -}}
{{- if and .Values.metricsToken.existingSecret .Values.metricsToken.token }}
{{- fail "metricsToken: set existingSecret or token, not both" }}
{{- end }}
{{- if .Values.metricsToken.existingSecret }}
{{- .Values.metricsToken.existingSecret }}
{{- else if .Values.metricsToken.token }}
{{- include "orfeas.fullname" . }}
{{- end }}
{{- end }}

{{- define "orfeas.metricsTokenSecretKey" -}}
{{- ternary .Values.metricsToken.existingSecretKey "metrics-token" (ne .Values.metricsToken.existingSecret "") }}
{{- end }}

{{/*
An environment value as text. Numbers from a values file arrive as float64, which would print
as 2.68435456e+08; whole ones are printed as integers.
*/}}
{{- define "orfeas.envValue" -}}
{{- if and (kindIs "float64" .) (eq (float64 (int64 .)) .) }}
{{- int64 . }}
{{- else }}
{{- toString . }}
{{- end }}
{{- end }}
