{{/* Names: <release>-rasa, <release>-actions, <release>-purge. */}}
{{- define "impact.name" -}}
{{- printf "%s-%s" .root.Release.Name .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "impact.selectorLabels" -}}
app.kubernetes.io/name: impact-assistent
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "impact.labels" -}}
{{ include "impact.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{- define "impact.image" -}}
{{- printf "%s:%s" .Values.image.repository (toString .Values.image.tag) -}}
{{- end -}}

{{/*
The container environment of one component: the shared `env` (plain values) merged with the
component's own `env`, then every `secretEnv` / `optionalSecretEnv` variable as a secretKeyRef
into the operator's Secret `secretName`; names in the component's `omitEnv` are left out.
Each name appears once (maps are rendered in sorted order).
*/}}
{{- define "impact.env" -}}
{{- $root := .root -}}
{{- $omit := .values.omitEnv | default list -}}
{{- $env := merge (deepCopy (.values.env | default dict)) (deepCopy $root.Values.env) -}}
{{- range $name, $value := $env }}
{{- if not (has $name $omit) }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end }}
{{- range $name, $key := $root.Values.secretEnv }}
{{- if and (not (has $name $omit)) (not (hasKey $env $name)) }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secretName }}
      key: {{ $key }}
{{- end }}
{{- end }}
{{- range $name, $key := $root.Values.optionalSecretEnv }}
{{- if and (not (has $name $omit)) (not (hasKey $env $name)) (not (hasKey $root.Values.secretEnv $name)) }}
- name: {{ $name }}
  valueFrom:
    secretKeyRef:
      name: {{ $root.Values.secretName }}
      key: {{ $key }}
      optional: true
{{- end }}
{{- end }}
{{- end -}}

{{- define "impact.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.securityContext.runAsUser }}
runAsGroup: {{ .Values.securityContext.runAsUser }}
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "impact.containerSecurityContext" -}}
allowPrivilegeEscalation: false
capabilities:
  drop: ["ALL"]
{{- end -}}
