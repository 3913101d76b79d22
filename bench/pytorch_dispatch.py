#!/usr/bin/python3
"""PyTorch's per-op dispatch cost on 1x1 tensors: the loop of `research bench dispatch`
(src/Research.Cli/Benchmarks/DispatchBenchmark.cs), timed after a warm-up of min(ops, 10000).

  default      x + y                       (one op, no autograd)
  --autograd   (x * w).sum().backward()    (w requires grad: forward, graph and backward)

Prints `name value` lines, ns_per_op last:

  /usr/bin/python3 bench/pytorch_dispatch.py --ops 100000 --threads 1 [--autograd]
"""
import argparse
import time

import torch


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--ops", type=int, default=100_000, help="operations to time")
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads (0: libtorch's default)")
    p.add_argument("--autograd", action="store_true", help="time (x*w).sum().backward() instead of x+y")
    a = p.parse_args()
    if a.ops < 1:
        p.error(f"--ops {a.ops}: must be at least 1")
    if a.threads > 0:
        torch.set_num_threads(a.threads)

    x = torch.ones(1, 1)
    y = torch.ones(1, 1)
    w = torch.ones(1, 1, requires_grad=True)

    def add(n):
        for _ in range(n):
            x + y

    def autograd(n):
        for _ in range(n):
            (x * w).sum().backward()

    loop = autograd if a.autograd else add
    loop(min(a.ops, 10_000))
    t = time.perf_counter()
    loop(a.ops)
    dt = time.perf_counter() - t
    print(f"torch {torch.__version__}")
    print(f"case {'autograd' if a.autograd else 'add'} ops {a.ops} threads {torch.get_num_threads()}")
    print(f"ns_per_op {1e9 * dt / a.ops:.0f}")


if __name__ == "__main__":
    main()
