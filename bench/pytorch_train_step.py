#!/usr/bin/python3
"""PyTorch's training-step throughput on random data, beside `research bench train`
(src/Research.Cli/Benchmarks/TrainStepBenchmark.cs): zero_grad, forward, cross entropy,
backward, optimizer step on one fixed random batch, `--warmup` untimed steps then `--steps`
timed ones. The optimizers have TrainStepBenchmark's settings (sgd: lr 0.01, momentum 0.9,
weight decay 1e-5; rmsprop: lr 0.01, alpha 0.9, momentum 0.9, eps 1e-3; adamw: lr 1e-3).

Flags that `research bench train --pytorch SCRIPT` passes today (BenchCommand.cs) and must keep
their meaning: --model --resolution --batch --steps --warmup --in-channels --classes --threads
--device --optimizer.
New here (not passed by BenchCommand yet): --width-mult, --small-input (the zoo's meaning, see
torchvision_zoo.py), --channels-last (model and input NHWC), --amp none|bf16|fp16 (forward and
loss under torch.autocast on the device's type; fp16 scales the loss with a GradScaler on CUDA),
--cudnn-benchmark (torch.backends.cudnn.benchmark = True).

Prints `name value` lines: torch, threads, model ..., params, ms_per_step, final_loss (the last
timed step's loss), peak_memory_mib (CUDA only: torch.cuda.max_memory_allocated over the timed
steps, after reset_peak_memory_stats), and images_per_s last.

  /usr/bin/python3 bench/pytorch_train_step.py --model mobilenet_v2 --resolution 32 --batch 64 \
      --steps 20 --warmup 3 --in-channels 3 --classes 10 --threads 2 --device cpu --optimizer sgd
"""
import argparse
import contextlib
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
import torch  # noqa: E402

import torchvision_zoo  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="mobilenet_v2", choices=torchvision_zoo.MODELS)
    p.add_argument("--resolution", type=int, default=32)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--steps", type=int, default=20, help="timed steps")
    p.add_argument("--warmup", type=int, default=3, help="untimed steps first")
    p.add_argument("--in-channels", type=int, default=3)
    p.add_argument("--classes", type=int, default=10)
    p.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: libtorch's default)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    p.add_argument("--optimizer", default="sgd", choices=["sgd", "rmsprop", "adamw"])
    # New flags (BenchCommand does not pass them):
    p.add_argument("--width-mult", type=float, default=1.0)
    p.add_argument("--small-input", action="store_true", help="stride-1 stem, no max-pool")
    p.add_argument("--channels-last", action="store_true", help="model and input in NHWC")
    p.add_argument("--amp", default="none", choices=["none", "bf16", "fp16"])
    p.add_argument("--cudnn-benchmark", action="store_true")
    a = p.parse_args()
    if a.batch < 1 or a.steps < 1 or a.warmup < 0:
        p.error("need --batch >= 1, --steps >= 1, --warmup >= 0")

    if a.threads > 0:
        torch.set_num_threads(a.threads)
    dev = torch.device(a.device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        p.error(f"--device {a.device}: no CUDA device (torch {torch.__version__})")
    amp_dtype = {"none": None, "bf16": torch.bfloat16, "fp16": torch.float16}[a.amp]
    if amp_dtype is torch.float16 and dev.type != "cuda":
        p.error("--amp fp16 needs CUDA (CPU autocast is bf16 only)")
    if a.cudnn_benchmark:
        torch.backends.cudnn.benchmark = True
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format

    torch.manual_seed(0)
    model = torchvision_zoo.build(a.model, a.classes, a.in_channels, a.width_mult, a.small_input)
    model.to(dev).to(memory_format=fmt).train()
    params = list(model.parameters())
    if a.optimizer == "sgd":
        opt = torch.optim.SGD(params, lr=0.01, momentum=0.9, weight_decay=1e-5)
    elif a.optimizer == "rmsprop":
        opt = torch.optim.RMSprop(params, lr=0.01, alpha=0.9, momentum=0.9, eps=1e-3)
    else:
        opt = torch.optim.AdamW(params, lr=1e-3)
    scaler = torch.cuda.amp.GradScaler(enabled=amp_dtype is torch.float16)
    x = torch.randn(a.batch, a.in_channels, a.resolution, a.resolution, device=dev).contiguous(memory_format=fmt)
    y = torch.randint(0, a.classes, (a.batch,), device=dev)

    def autocast():
        return torch.autocast(dev.type, dtype=amp_dtype) if amp_dtype is not None else contextlib.nullcontext()

    def step():
        opt.zero_grad(set_to_none=True)
        with autocast():
            loss = torch.nn.functional.cross_entropy(model(x), y)
        scaler.scale(loss).backward()
        scaler.step(opt)
        scaler.update()
        return loss.detach()

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize(dev)

    for _ in range(a.warmup):
        step()
    sync()
    if dev.type == "cuda":
        torch.cuda.reset_peak_memory_stats(dev)
    t = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    sync()
    dt = time.perf_counter() - t

    print(f"torch {torch.__version__}")
    print(f"threads {torch.get_num_threads()}")
    print(f"model {a.model} resolution {a.resolution} batch {a.batch} device {dev} optimizer {a.optimizer} "
          f"memory_format {'channels_last' if a.channels_last else 'contiguous'} amp {a.amp}")
    print(f"params {torchvision_zoo.parameter_count(model)}")
    print(f"ms_per_step {1000 * dt / a.steps:.2f}")
    print(f"final_loss {loss.item():.4f}")
    if dev.type == "cuda":
        print(f"peak_memory_mib {torch.cuda.max_memory_allocated(dev) / 2**20:.1f}")
    print(f"images_per_s {a.steps * a.batch / dt:.1f}")


if __name__ == "__main__":
    main()
