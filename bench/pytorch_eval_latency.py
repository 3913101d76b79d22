#!/usr/bin/python3
"""PyTorch's eager eval-mode forward latency, beside bench/OnnxLatency (our forward and ONNX
Runtime's): torchvision's build of a zoo model (torchvision_zoo.py, 1000 classes), batch-norm
statistics and affine parameters drawn as OnnxLatency draws them (running mean U(-0.5, 0.5),
running var U(0.5, 2), weight U(0.5, 1.5), bias U(-0.5, 0.5)), so folding and value ranges are
the same on every side. With --save the state dict is written (torch.save) for OnnxLatency to load
through the binding's .pth reader, so every forward runs the same weights. With --frozen, also
PyTorch's best inference on the same libtorch: torch.jit.optimize_for_inference of the scripted
model (batch norm folded, oneDNN convolutions with fused activations).

Prints `name value` lines: torch, threads, then `MODEL_bBATCH_pytorch_ms` (median of --runs after
one untimed run) for each batch, and with --frozen `MODEL_bBATCH_pytorch_frozen_ms` (after two).

  /usr/bin/python3 bench/pytorch_eval_latency.py --model efficientnet_b0 --batches 1,32 --runs 10 --threads 1
"""
import argparse
import statistics
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ beside the scripts
import torch  # noqa: E402
from torch import nn  # noqa: E402

import torchvision_zoo  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", required=True, choices=torchvision_zoo.MODELS)
    p.add_argument("--batches", default="1,32")
    p.add_argument("--resolution", type=int, default=224)
    p.add_argument("--runs", type=int, default=10, help="timed runs per batch, after one untimed")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--save", help="write the state dict here (torch.save)")
    p.add_argument("--frozen", action="store_true", help="also time torch.jit.optimize_for_inference of the model")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    model = torchvision_zoo.build(a.model, classes=1000)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.5, 0.5)
    model.eval()
    if a.save:
        torch.save(model.state_dict(), a.save)
    print(f"torch {torch.__version__}")
    print(f"threads {torch.get_num_threads()}")
    frozen = None
    if a.frozen:
        with torch.no_grad():
            frozen = torch.jit.optimize_for_inference(torch.jit.script(model))
    for batch in (int(b) for b in a.batches.split(",")):
        x = torch.randn(batch, 3, a.resolution, a.resolution)
        print(f"{a.model}_b{batch}_pytorch_ms {median_ms(model, x, a.runs, warmup=1):.2f}")
        if frozen is not None:
            # The first calls profile and optimize the graph.
            print(f"{a.model}_b{batch}_pytorch_frozen_ms {median_ms(frozen, x, a.runs, warmup=2):.2f}")


def median_ms(model, x, runs, warmup):
    times = []
    with torch.no_grad():
        for r in range(runs + warmup):
            start = time.perf_counter()
            model(x)
            if r >= warmup:
                times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    main()
