#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine (run as root), only when missing:
# libtorch (CPU) with Gloo's headers for c10d, an optimized BLAS for it (OpenBLAS, the OpenMP build,
# which shares libtorch's OpenMP threads), the native toolchain, Fashion-MNIST, the Python side of the
# interop tests and benchmarks (numpy, PyTorch, torchvision), and Chromium for the browser tests of the
# report and `research serve` (driven by Playwright; no browser is downloaded).
#   --fuzz  also installs AFL++ for scripts/fuzz.sh
#   --bench is accepted for older instructions (the references are always installed now)
set -euo pipefail
pkgs=(libtorch-dev libgloo-dev libopenblas0-openmp cmake g++ dataset-fashion-mnist python3-numpy python3-torch python3-torchvision chromium)
for arg in "$@"; do
  case "$arg" in
    --fuzz) pkgs+=(afl++) ;;
    --bench) ;;
    *) echo "setup: unknown option $arg (expected --fuzz)" >&2; exit 2 ;;
  esac
done
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
# Debian's libtorch links libblas.so.3 and liblapack.so.3, which the alternatives system resolves.
# Installing OpenBLAS takes them over in auto mode (priority 100 against the reference's 10); a link
# left in manual mode on the Netlib reference is moved to OpenBLAS too. Another optimized choice stays.
multiarch="$(gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)"
for lib in libblas.so.3 liblapack.so.3; do
  name="$lib-$multiarch"
  openblas="/usr/lib/$multiarch/openblas-openmp/$lib"
  current="$(update-alternatives --query "$name" 2>/dev/null | sed -n 's/^Value: //p')"
  if [ -e "$openblas" ] && { [ -z "$current" ] || [ "$current" = "/usr/lib/$multiarch/blas/$lib" ] || [ "$current" = "/usr/lib/$multiarch/lapack/$lib" ]; }; then
    echo "setup: $lib -> $openblas (was ${current:-unset})" >&2
    update-alternatives --set "$name" "$openblas" >/dev/null
  fi
done
command -v dotnet >/dev/null || { echo "setup: the .NET 10 SDK (dotnet) is required and not on PATH" >&2; exit 1; }
