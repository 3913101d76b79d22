#!/usr/bin/env bash
# A `research` that needs no .NET SDK or runtime: self-contained linux-x64, trimmed (the framework's
# unused code removed; our assemblies and their libraries kept whole) and bundled into one compressed
# file, beside the native shim and the PyTorch reference scripts. Written to publish/linux-x64
# (ignored), small enough to travel to a GPU machine with the repository (scripts/gpu-check.sh).
#   scripts/publish.sh [OUT_DIR]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/publish/linux-x64}"
rm -rf "$out"
dotnet publish "$root/src/Research.Cli" -c Release -r linux-x64 --self-contained true --nologo -v quiet -o "$out" \
  -p:PublishTrimmed=true -p:TrimMode=partial -p:JsonSerializerIsReflectionEnabledByDefault=true \
  -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=false \
  -p:DebugType=none -p:SuppressTrimAnalysisWarnings=true >/dev/null
# The shim is built here against this machine's libtorch; a GPU machine rebuilds it against its own.
[ -f "$out/libresearch_torch.so" ] || { echo "publish: libresearch_torch.so is missing from $out" >&2; exit 1; }
echo "publish $out"
echo "publish_mib $(du -sm "$out" | cut -f1)"
