#!/usr/bin/env bash
# The one command a GPU machine runs (no .NET SDK there): rebuild the native shim against the
# machine's own PyTorch libtorch, then the self-test and the measurements, every figure a
# `name value` line, logs copied to $OUT when it is set. Each part has its own time limit so the
# whole stays under 8 minutes on a GPU: build 240 s, self-test 150 s (600 s for the CPU dry run), each benchmark 90 s, training 120 s.
#
#   scripts/publish.sh                                   # here, once: publish/linux-x64
#   scripts/gpu-check.sh                                 # there (carry publish/linux-x64 and .gpu-data)
#   scripts/gpu-check.sh --device cpu                    # here: the same script end to end, as a dry run
#
# Fashion-MNIST: /usr/share/datasets/fashion-mnist, or a copy in .gpu-data/fashion-mnist (ignored;
# `mkdir -p .gpu-data && cp -r /usr/share/datasets/fashion-mnist .gpu-data/` here, then carry it).
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
device=cuda
while [ $# -gt 0 ]; do
  case "$1" in
    --device) device="$2"; shift 2 ;;
    *) echo "gpu-check: unknown option $1 (expected --device cuda|cpu)" >&2; exit 2 ;;
  esac
done
publish="${PUBLISH_DIR:-$root/publish/linux-x64}"
out="${OUT:-$root/runs/gpu-check}"
mkdir -p "$out"
log="$out/gpu-check.log"
: > "$log"
say() { echo "$*" | tee -a "$log"; }
part() { say "== $1 ($(date -u +%H:%M:%S))"; }
failed=0
run() {  # run LIMIT_SECONDS NAME COMMAND...: the command's output to the log and the terminal; a failure is counted, not fatal
  local limit="$1" name="$2"; shift 2
  timeout --kill-after=10 "$limit" "$@" 2>&1 | tee -a "$log" "$out/$name.log"
  local rc=${PIPESTATUS[0]}
  [ "$rc" -eq 0 ] || { say "gpu-check: $name exited $rc$([ "$rc" -eq 124 ] && echo " (time limit ${limit} s)")"; failed=$((failed + 1)); }
  return 0
}
[ -x "$publish/research" ] || { say "gpu-check: no published research in $publish (run scripts/publish.sh first)"; exit 2; }

part environment
python="${RESEARCH_PYTHON:-$(command -v python3)}"
say "device $device"
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader | sed 's/^/gpu /' | tee -a "$log"
"$python" -c 'import torch; print("torch", torch.__version__); print("torch_cuda", torch.version.cuda); print("cuda_available", torch.cuda.is_available())' 2>&1 | tee -a "$log"

part build
work="${WORK_DIR:-/tmp/research-gpu}"
rm -rf "$work" && mkdir -p "$work" && cp -r "$publish/." "$work/"
if [ "$device" = cuda ]; then
  prefix="$("$python" -c 'import torch; print(torch.utils.cmake_prefix_path)')"
  site="$("$python" -c 'import site; print(site.getsitepackages()[0])')"
  hints=()
  # PyTorch's wheels bring cuDNN as a Python package: tell Caffe2's CMake where it is.
  [ -d "$site/nvidia/cudnn" ] && hints+=(-DCUDNN_INCLUDE_PATH="$site/nvidia/cudnn/include" -DCUDNN_LIBRARY_PATH="$(ls "$site"/nvidia/cudnn/lib/libcudnn.so* 2>/dev/null | head -1)")
  run 240 build cmake -S "$root/src/Research.Torch/native" -B "$work/native" -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" "${hints[@]}"
  run 240 build-compile cmake --build "$work/native" -j "$(nproc)"
  if [ -f "$work/native/libresearch_torch.so" ]; then cp "$work/native/libresearch_torch.so" "$work/"; else say "gpu-check: the shim did not build"; fi
else
  say "build skipped: --device cpu uses the published shim (built against this machine's libtorch)"
fi
research="$work/research"
export RESEARCH_PYTHON="$python"
data="/usr/share/datasets/fashion-mnist"
[ -d "$root/.gpu-data/fashion-mnist" ] && data="$root/.gpu-data/fashion-mnist"

part doctor
run 60 doctor "$research" doctor

part selftest
# On a GPU the checks take seconds; the CPU dry run computes the same references on 2 cores.
selftest_limit=150; [ "$device" = cpu ] && selftest_limit=600
run "$selftest_limit" selftest "$research" selftest --device "$device" --data-dir "$data"

part bench
if [ "$device" = cuda ]; then
  b=(--model efficientnet_b0 --resolution 224 --batch 128 --amp bf16 --memory-format channels_last --steps 20 --warmup 5 --device cuda)
else
  b=(--model efficientnet_b0 --resolution 64 --batch 8 --memory-format channels_last --steps 2 --warmup 1 --device cpu)
fi
run 90 bench-train "$research" bench train "${b[@]}" --pytorch
[ "$device" = cuda ] && run 90 bench-train-graphs "$research" bench train "${b[@]}" --cuda-graphs

part training
# The README's longer recipe (10 epochs with EMA); on the CPU dry run one epoch of a subset.
if [ "$device" = cuda ]; then
  t=(--epochs 10 --ema 0.999 --label-smoothing 0.05 --crop-padding 1 --memory-format channels_last --device cuda)
else
  t=(--epochs 1 --subset 2000 --memory-format channels_last --device cpu)
fi
start=$(date +%s)
run 120 train "$research" train --model mobilenet_v2 --width-mult 0.5 --small-input --data-dir "$data" "${t[@]}" --out "$work/train"
say "train_wall_seconds $(( $(date +%s) - start ))"

part end
say "gpu_check_failures $failed"
exit $(( failed > 0 ? 1 : 0 ))
