#!/usr/bin/env python3
"""What a pre-filter would have kept: for each proxy, the networks it ranks in the best fraction, and
their trained accuracy against what the same number of networks drawn at random would give.

    python3 analyze.py PROXIES_CSV TRAINED_CSV [--keep 0.2] [--seed 0]

PROXIES_CSV is `research search proxies`' proxies.csv of a random search's candidates (names ending in
the candidate's index); TRAINED_CSV is that run's random_baseline.csv (index, val_top1). Also prints the vote of synflow, jacob_cov and snip
(Abdelfattah et al. 2021 vote with these three; here: the mean of their ranks) with a bootstrap
95% interval of its Spearman correlation. numpy only; every figure comes from the two CSVs.
"""
import argparse
import csv
import math
import re

import numpy as np

PROXIES = ["synflow", "naswot", "snip", "grad_norm", "fisher", "jacob_cov", "params", "macs"]
VOTE = ["synflow", "jacob_cov", "snip"]


def ranks(v):
    """Average ranks (1-based), ties shared, as Spearman's rho needs."""
    v = np.asarray(v, dtype=float)
    order = np.argsort(v, kind="mergesort")
    r = np.empty(len(v))
    i = 0
    while i < len(v):
        j = i
        while j + 1 < len(v) and v[order[j + 1]] == v[order[i]]:
            j += 1
        r[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    return r


def spearman(a, b):
    ra, rb = ranks(a), ranks(b)
    ra -= ra.mean()
    rb -= rb.mean()
    d = math.sqrt((ra * ra).sum() * (rb * rb).sum())
    return float((ra * rb).sum() / d) if d > 0 else float("nan")


def expected_best_of_random(acc, k):
    """E[max accuracy of k networks drawn without replacement]: the i-th smallest is the max with C(i-1, k-1) / C(n, k)."""
    s = np.sort(acc)
    n = len(s)
    total = math.comb(n, k)
    return sum(s[i - 1] * math.comb(i - 1, k - 1) / total for i in range(k, n + 1))


def key_of(name):
    return re.search(r"(\d+)$", name).group(1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("proxies")
    p.add_argument("trained")
    p.add_argument("--keep", type=float, default=0.2)
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()

    with open(a.trained, newline="") as f:
        rows = list(csv.DictReader(f))
    trained = {r["index"]: float(r["val_top1"]) for r in rows if r["val_top1"] != ""}

    with open(a.proxies, newline="") as f:
        prow = [r for r in csv.DictReader(f) if key_of(r["name"]) in trained]
    acc = np.array([trained[key_of(r["name"])] for r in prow])
    n = len(acc)
    k = max(1, math.ceil(a.keep * n))
    scores = {q: np.array([float(r[q]) for r in prow]) for q in PROXIES if q in prow[0]}

    print(f"networks {n} keep {k} (fraction {a.keep}) accuracy {acc.min():.2f}..{acc.max():.2f} mean {acc.mean():.2f}")
    print(f"best trained {acc.max():.2f}; {k} drawn at random: expected best {expected_best_of_random(acc, k):.2f}, expected mean {acc.mean():.2f}")
    print("proxy,best_of_kept,mean_of_kept,kept_holds_best,rank_of_best")
    best = int(np.argmax(acc))
    for q, s in scores.items():
        order = np.argsort(-s, kind="mergesort")  # higher score = predicted better, as the pre-filter keeps them
        kept = order[:k]
        rank_of_best = int(np.where(order == best)[0][0]) + 1
        print(f"{q},{acc[kept].max():.2f},{acc[kept].mean():.2f},{'yes' if best in kept else 'no'},{rank_of_best}")

    if all(q in scores for q in VOTE):
        vote = np.mean([ranks(scores[q]) for q in VOTE], axis=0)
        rho = spearman(vote, acc)
        rng = np.random.default_rng(a.seed)
        boot = []
        for _ in range(2000):
            i = rng.integers(0, n, n)
            boot.append(spearman(vote[i], acc[i]))
        boot = np.array([b for b in boot if not math.isnan(b)])
        lo, hi = np.percentile(boot, [2.5, 97.5])
        kept = np.argsort(-vote, kind="mergesort")[:k]
        print(f"vote(synflow,jacob_cov,snip) spearman {rho:.3f} [{lo:.3f}, {hi:.3f}] best_of_kept {acc[kept].max():.2f} mean_of_kept {acc[kept].mean():.2f}")


if __name__ == "__main__":
    main()
