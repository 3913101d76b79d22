#!/usr/bin/env python3
"""Study 2: how the DARTS searches' architecture weights moved, from each seed's alphas.csv.

Usage: python3 op_weights.py csv/darts   (folders seed<N>/alphas.csv and seed<N>/darts_epochs.csv below it)
Prints, per cell kind, the mean softmax weight of each op over the cell's edges and the seeds at
the first and the last epoch (uniform is 1/ops), and per seed the final genotype's op counts:
skips, parameter-free ops (pools, skip) and blocks with weights.
"""
import csv
import os
import sys
from collections import defaultdict

root = sys.argv[1]
seeds = sorted(d for d in os.listdir(root) if d.startswith("seed") and os.path.isdir(os.path.join(root, d)))
weights = defaultdict(list)  # (cell, epoch, op) -> weights over edges and seeds
ops_order = []
for s in seeds:
    with open(os.path.join(root, s, "alphas.csv"), newline="") as f:
        for r in csv.DictReader(f):
            weights[(r["cell"], int(r["epoch"]), r["op"])].append(float(r["weight"]))
            if r["op"] not in ops_order:
                ops_order.append(r["op"])
epochs = sorted({e for (_, e, _) in weights})
first, last = epochs[0], epochs[-1]
print(f"seeds {len(seeds)} epochs {first}-{last} ops {len(ops_order)} (uniform {1 / len(ops_order):.4f})")
print()
print(f"| op | normal, epoch {first} | normal, epoch {last} | reduce, epoch {first} | reduce, epoch {last} |")
print("|---|---:|---:|---:|---:|")
for op in ops_order:
    cells = [sum(w) / len(w) for w in (weights[(c, e, op)] for c in ("normal", "reduce") for e in (first, last))]
    print(f"| {op} | " + " | ".join(f"{v:.4f}" for v in cells) + " |")
print()
free = {"skip_connect", "max_pool_3x3", "avg_pool_3x3"}
print("| seed | final held-out accuracy of the supernet | entropy | normal: skips | normal: parameter-free | reduce: parameter-free | normal cell |")
print("|---|---:|---:|---:|---:|---:|---|")
for s in seeds:
    with open(os.path.join(root, s, "darts_epochs.csv"), newline="") as f:
        row = list(csv.DictReader(f))[-1]
    normal, reduce = row["genotype"].split(" // ")
    def ops(cell):
        return [t.split("@")[0] for t in cell.split(":", 1)[1].split(";")[0].replace("|", " ").split()]
    n, r = ops(normal), ops(reduce)
    print(f"| {s[4:]} | {float(row['val_acc']):.2f} | {float(row['alpha_entropy']):.4f} | {n.count('skip_connect')} | "
          f"{sum(o in free for o in n)} of {len(n)} | {sum(o in free for o in r)} of {len(r)} | `{normal.split(':', 1)[1].split(';')[0].strip().replace(' | ', ' · ')}` |")
