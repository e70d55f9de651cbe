{{- define "distill-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "distill-operator.serviceAccountName" -}}
{{- default (include "distill-operator.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "distill-operator.selectorLabels" -}}
app.kubernetes.io/name: distill-operator
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "distill-operator.labels" -}}
{{ include "distill-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}
