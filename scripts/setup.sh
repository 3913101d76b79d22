#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine (run as root), only when missing:
# libtorch (CPU), the native toolchain, Fashion-MNIST, and numpy for the interop tests.
# --bench also installs PyTorch and torchvision, the side-by-side benchmark references.
set -euo pipefail
pkgs=(libtorch-dev cmake g++ dataset-fashion-mnist python3-numpy)
if [ "${1:-}" = "--bench" ]; then pkgs+=(python3-torch python3-torchvision); fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is required and not on PATH" >&2; exit 1; }
