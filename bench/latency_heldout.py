#!/usr/bin/python3
"""Latency tables against held-out networks: the networks whose latency is measured here were never
measured as whole networks for the table, only their parts were (inside other networks).

  latency_heldout.py blocks DIR [COUNT]
      DIR/probe-*.yaml: four MobileNetV2-like block networks for 28x28 grayscale images (10 classes),
      each with one MBConv variant (k3/k5, e3/e6) at every position; DIR/heldout-*.yaml: COUNT (24)
      networks that mix the variants at random, position by position (seeded). A table measured
      from the probes holds every part of every held-out network.
  latency_heldout.py cells SPACE DIR [COUNT] [SEED]
      DIR/heldout-*.json: COUNT (32) genotypes of the search space SPACE drawn here (seeded, not by the
      research sampler, so none is a table's calibration genotype): each node's two inputs distinct,
      each edge's op any but `none`; DIR/uniform-*.json: one network per op with that op on every edge
      (the extremes a latency-penalised search is pushed toward; the same networks as the table's
      one-op probes, which a `--space` table measures whole to fit its per-op factors, so they are
      not held out); DIR/duo-A-B.json: for each pair of ops, a genotype drawn from those two only
      (held-out extremes: pool- or skip-rich cells like those a latency penalty finds). All in the
      space's `network` layout for 28x28 grayscale images, 10 classes. A `bench latency-table --space
      SPACE --dataset fashion-mnist` table holds every part of every one of them.
  latency_heldout.py evaluate RESEARCH TABLE [--passes N] SPEC...
      `RESEARCH models show SPEC --latency-table TABLE --format json` for each spec, N (3) passes over
      all of them in alternating order, each network's measurement the median of its passes; prints each
      network's predicted (calibrated: each part's entry x its factor) and measured milliseconds, the
      plain sum of parts and the relative error |pred - meas| / meas, then its median and 90th
      percentile (and those of the sum x k alone, and of the uncalibrated sum) as `name value` lines. The factors come from the
      table's network rows (measured whole); a held-out network among them (by name) is refused, so
      none contributes to them.
      Each pass measures the networks minutes after the table, in other processes: on a machine whose
      speed drifts, that drift is part of the error. `research bench latency-table ... --held-out SPEC...`
      measures the same networks in the table's own interleaved rounds instead, kept out of the table.
"""
import csv
import json
import os
import random
import subprocess
import sys

# (output channels, stride) of each MBConv position: MobileNetV2's stages at about half width.
POSITIONS = [(16, 2), (16, 1), (24, 2), (24, 1), (24, 1), (32, 2), (32, 1), (32, 1), (48, 1), (48, 1), (80, 2), (80, 1), (160, 1)]
VARIANTS = [(3, 3), (3, 6), (5, 3), (5, 6)]  # (kernel, expansion)


def spec(name, variants):
    blocks = [f"ir_r1_k{k}_s{s}_e{e}_c{c}_arelu6" for (c, s), (k, e) in zip(POSITIONS, variants)]
    return "\n".join([
        f"name: {name}", "in_channels: 1", "classes: 10", "resolution: 28", "small_input: true", "drop_connect: 0", "bn_eps: 1e-05",
        "bn_momentum: 0.1", "channel_divisor: 8", "init: default", "stem: cn_r1_k3_s1_c16_arelu6",
        "stages:", "  - [ir_r1_k3_s1_e1_c8_arelu6]", "  - [" + ", ".join(blocks) + "]",
        "head: {conv: 640, conv_act: relu6, hidden: 0, hidden_act: relu, hidden_conv: false, dropout: 0}", ""])


def blocks(folder, count=24):
    os.makedirs(folder, exist_ok=True)
    for k, e in VARIANTS:
        with open(f"{folder}/probe-k{k}e{e}.yaml", "w") as f:
            f.write(spec(f"probe-k{k}e{e}", [(k, e)] * len(POSITIONS)))
    rng = random.Random(0)
    for i in range(count):
        with open(f"{folder}/heldout-{i}.yaml", "w") as f:
            f.write(spec(f"heldout-{i}", [rng.choice(VARIANTS) for _ in POSITIONS]))


def cells(space_path, folder, count=32, seed=1):
    import yaml  # python3-yaml
    with open(space_path) as f:
        space = yaml.safe_load(f)
    os.makedirs(folder, exist_ok=True)
    ops = {name: d for name, d in space["ops"].items() if d != "none"}
    nodes = space.get("nodes", 4)  # the space loader's default
    # A genotype's network takes the layout keys but not the supernet-only `affine`.
    network = {k: v for k, v in space["network"].items() if k != "affine"}
    network.update(drop_path=0, dropout=0, in_channels=1, classes=10, resolution=28)
    concat = list(range(2, nodes + 2))

    def write(path, name, normal, reduce):
        def text(edges):
            pairs = [" ".join(edges[i:i + 2]) for i in range(0, len(edges), 2)]
            return " | ".join(pairs) + " ; concat " + ",".join(map(str, concat))
        used = {e.split("@")[0] for e in normal + reduce}
        genotype = {"normal": normal, "normal_concat": concat, "reduce": reduce, "reduce_concat": concat,
                    "ops": {o: d for o, d in ops.items() if o in used}}
        with open(path, "w") as f:
            json.dump({"name": name, "text": f"normal: {text(normal)} // reduce: {text(reduce)}", "genotype": genotype, "network": network}, f, indent=2)

    rng = random.Random(seed)
    names = sorted(ops)

    def draw(choices=names):
        edges = []
        for node in range(2, nodes + 2):
            for i in sorted(rng.sample(range(node), 2)):
                edges.append(f"{rng.choice(choices)}@{i}")
        return edges

    for i in range(count):
        write(f"{folder}/heldout-{i}.json", f"heldout-{i}", draw(), draw())
    inputs = [f"@{i}" for node in range(2, nodes + 2) for i in (node - 2, node - 1)]
    for o in names:
        write(f"{folder}/uniform-{o}.json", f"uniform-{o}", [o + i for i in inputs], [o + i for i in inputs])
    # Drawn after the held-out genotypes, so adding them changed none of those.
    for a in names:
        for b in names:
            if a < b:
                write(f"{folder}/duo-{a}-{b}.json", f"duo-{a}-{b}", draw([a, b]), draw([a, b]))


def percentile(values, q):
    v = sorted(values)
    x = (len(v) - 1) * q
    lo = int(x)
    hi = min(lo + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (x - lo)


def table_networks(table):
    with open(table) as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return {r["op"] for r in rows if r.get("kind") == "network"}


def show(research, table, spec):
    out = subprocess.run([research, "models", "show", spec, "--latency-table", table, "--format", "json"], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"{spec}: {out.stderr.strip()}")
    return json.loads(out.stdout)


def evaluate(research, table, specs, passes=3):
    measured_whole = table_networks(table)
    # Every network measured once per pass, each in its own process, alternating the order: a slow spell of the machine
    # (tens of seconds on a shared core) then falls on one pass of a network, and the median of the passes outvotes it.
    shown = {s: [] for s in specs}
    for p in range(passes):
        for s in (specs if p % 2 == 0 else specs[::-1]):
            shown[s].append(show(research, table, s))
    errors, parts_errors, median_errors = [], [], []
    for s in specs:
        r = shown[s][0]
        if r["name"] in measured_whole:
            sys.exit(f"{s}: network {r['name']} was measured whole for {table}, so it is not held out (it contributes to the calibration)")
        runs = sorted(x["measured_latency_ms"] for x in shown[s])
        measured = percentile(runs, 0.5)
        errors.append(abs(r["predicted_latency_ms"] - measured) / measured)
        parts_errors.append(abs(r["parts_latency_ms"] - measured) / measured)
        # What the table predicted before its factors were fitted per cell op: the sum of parts x k.
        median_errors.append(abs(r["parts_latency_ms"] * r["calibration_median"] - measured) / measured)
        print(f"network {r['name']} predicted_ms {r['predicted_latency_ms']:.4f} parts_ms {r['parts_latency_ms']:.4f} measured_ms {measured:.4f} "
              f"passes_ms {','.join(f'{m:.3f}' for m in runs)} error {errors[-1]:.4f} error_k_only {median_errors[-1]:.4f}", flush=True)
    print(f"networks {len(errors)}")
    print(f"calibration {r['calibration']:.4f} from {r['calibration_networks']} network(s)")
    for op, f in sorted((r.get("calibration_per_op") or {}).items()):
        print(f"calibration_op {op} {f:.4f}")
    print(f"median_error {percentile(errors, 0.5):.4f}")
    print(f"p90_error {percentile(errors, 0.9):.4f}")
    print(f"median_error_k_only {percentile(median_errors, 0.5):.4f}")
    print(f"p90_error_k_only {percentile(median_errors, 0.9):.4f}")
    print(f"median_error_uncalibrated {percentile(parts_errors, 0.5):.4f}")
    print(f"p90_error_uncalibrated {percentile(parts_errors, 0.9):.4f}")


if __name__ == "__main__":
    if sys.argv[1] == "blocks":
        blocks(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 24)
    elif sys.argv[1] == "cells":
        cells(sys.argv[2], sys.argv[3], int(sys.argv[4]) if len(sys.argv) > 4 else 32, int(sys.argv[5]) if len(sys.argv) > 5 else 1)
    else:
        args = sys.argv[4:]
        passes = 3
        if args[:1] == ["--passes"]:
            passes, args = int(args[1]), args[2:]
        evaluate(sys.argv[2], sys.argv[3], args, passes)
