{{/*
The Redis mode (redis.enabled): an API tier and a worker tier sharing one queue on Redis and one
ReadWriteMany data directory. These helpers check its values and name its parts; every template
that renders differently in it asks "orfeas.redisMode", so a wrong setting fails any render.
*/}}

{{/* "true" in the Redis mode, "" on SQLite; fails, saying what to set, on values that cannot work. */}}
{{- define "orfeas.redisMode" -}}
{{- $redis := .Values.redis }}
{{- range $scope, $env := dict "env" .Values.env "api.env" .Values.api.env "worker.env" .Values.worker.env }}
{{- if hasKey $env "ORFEAS_REDIS_URL" }}
{{- fail (printf "%s.ORFEAS_REDIS_URL: the Redis URL (it may hold a password) is never a plain variable; set redis.enabled=true with redis.existingSecret (a Secret holding the URL under redis.existingSecretKey) or redis.url" $scope) }}
{{- end }}
{{- end }}
{{- range .Values.extraEnv }}
{{- if eq .name "ORFEAS_REDIS_URL" }}
{{- fail "extraEnv ORFEAS_REDIS_URL: the chart sets it from the Secret of the Redis mode; set redis.enabled=true with redis.existingSecret (and redis.existingSecretKey) instead" }}
{{- end }}
{{- end }}
{{- if and $redis.existingSecret $redis.url }}
{{- fail "redis: set existingSecret or url, not both" }}
{{- end }}
{{- if $redis.enabled }}
{{- if not (or $redis.existingSecret $redis.url) }}
{{- fail "redis.enabled=true needs the Redis URL: set redis.existingSecret (a Secret made beforehand, the redis:// URL under redis.existingSecretKey) or redis.url (the chart then makes the Secret)" }}
{{- end }}
{{- if eq .Values.kind "DaemonSet" }}
{{- fail "kind=DaemonSet is the one-backend-per-node layout on SQLite; with redis.enabled the API tier is a Deployment and the workers are set by worker.kind=DaemonSet" }}
{{- end }}
{{- $shared := .Values.sharedStorage }}
{{- if and (ne $shared.accessMode "ReadWriteMany") (not $shared.existingClaim) }}
{{- $pods := add (int .Values.api.replicas) (ternary (int .Values.worker.replicas) 2 (eq .Values.worker.kind "Deployment")) }}
{{- if gt $pods 1 }}
{{- $workers := ternary (printf "worker.replicas %d" (int .Values.worker.replicas)) "a worker DaemonSet pod on every selected node" (eq .Values.worker.kind "Deployment") }}
{{- fail (printf "sharedStorage.accessMode=%s: the shared data directory is mounted by every pod of both tiers (api.replicas %d, %s), on different nodes; it must be ReadWriteMany (an NFS, CephFS, EFS, Filestore or Azure Files StorageClass)" $shared.accessMode (int .Values.api.replicas) $workers) }}
{{- end }}
{{- end }}
{{- true }}
{{- else if $redis.existingSecret }}
{{- fail "redis.existingSecret is set but redis.enabled is false: set redis.enabled=true for the Redis mode, or unset it for one backend on SQLite" }}
{{- else if $redis.url }}
{{- fail "redis.url is set but redis.enabled is false: set redis.enabled=true for the Redis mode, or unset it for one backend on SQLite" }}
{{- end }}
{{- end }}

{{/* The Secret holding the Redis URL: the operator's, or the chart's made from redis.url. */}}
{{- define "orfeas.redisSecret" -}}
{{- .Values.redis.existingSecret | default (include "orfeas.fullname" .) }}
{{- end }}

{{- define "orfeas.redisSecretKey" -}}
{{- ternary .Values.redis.existingSecretKey "redis-url" (ne .Values.redis.existingSecret "") }}
{{- end }}

{{/* The shared data directory's claim, mounted at /data by both tiers. */}}
{{- define "orfeas.sharedClaim" -}}
{{- .Values.sharedStorage.existingClaim | default (include "orfeas.tierName" (dict "root" . "suffix" "shared")) }}
{{- end }}

{{/* <fullname>-<suffix> within the 63 characters of a DNS label, the suffix always kept. */}}
{{- define "orfeas.tierName" -}}
{{- $fullname := include "orfeas.fullname" .root | trunc (int (sub 62 (len .suffix))) | trimSuffix "-" }}
{{- printf "%s-%s" $fullname .suffix }}
{{- end }}
