#!/usr/bin/env bash
# On a GPU machine with PyTorch (CUDA) but no .NET SDK: build the native shim against
# PyTorch's libtorch, place it next to a published `research`, and run a command.
#
#   scripts/gpu-build.sh PUBLISH_DIR [research args...]
#
# PUBLISH_DIR is a self-contained publish made on a machine with the SDK:
#   dotnet publish src/Research.Cli -c Release -r linux-x64 --self-contained -o publish/linux-x64
# (its libresearch_torch.so, built against the CPU libtorch, is replaced here).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
publish="${1:?usage: scripts/gpu-build.sh PUBLISH_DIR [research args...]}"
shift || true
python="${PYTHON:-python3}"
prefix="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')" \
  || { echo "gpu-build: $python cannot import torch (a CUDA PyTorch install is needed)" >&2; exit 1; }
build="${BUILD_DIR:-/tmp/research-native-cuda}"
cmake -S "$root/src/Research.Torch/native" -B "$build" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$build" -j "$(nproc)"
cp "$build/libresearch_torch.so" "$publish/libresearch_torch.so"
# The shim's RPATH points at PyTorch's lib folder; the CUDA libraries come from there.
exec "$publish/research" "$@"
