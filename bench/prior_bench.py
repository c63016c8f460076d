"""Benchmark of the random-initialisation prior sampler (`compare.studies.prior`): networks per second.

Two architectures on all 2^7 = 128 inputs:

- ``7-40-40-1 relu`` (Valle-Pérez et al. 2019; issue 5 goal: >= 50,000 nets/s on 2 cores),
- ``7-64x10-1 tanh`` (ten hidden layers of width 64),

each timed four ways in the same run:

- ``batched``: `compare.studies.prior.count_functions` in this process: one batch per sampling thread, as many
  threads as torch's default (2 here),
- ``batched-1t``: the same with one thread,
- ``batched-2p``: two worker processes with one thread each (includes process start-up, about 2 s),
- ``loop``: a plain per-network Python loop (sample each layer's weights, forward the 128 inputs, threshold,
  pack the truth table) — the baseline the speed-up is measured against; timed with torch's default
  threads and with one thread, and the faster of the two is the baseline,
- ``loop-mlp``: a per-network loop that builds a `compare.MLP` per network (what a first script would do).

Prints a table and writes bench/results/prior_bench.json (atomically). The machine's load average
(``os.getloadavg``) is recorded before and after: other jobs on a shared machine slow everything down.

    python bench/prior_bench.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from compare.networks.batched import all_inputs, pack_tables  # noqa: E402
from compare.networks.nets import MLP, activation_fn  # noqa: E402
from compare.output.runfolder import atomic_write_text  # noqa: E402
from compare.studies.prior import PriorConfig, count_functions  # noqa: E402

ARCHS = {
    "7-40-40-1 relu": dict(n_inputs=7, widths=(40, 40), activation="relu", sigma_w=1.0, sigma_b=0.0),
    "7-64x10-1 tanh": dict(n_inputs=7, widths=(64,) * 10, activation="tanh", sigma_w=1.0, sigma_b=0.0),
}


def _loop_raw(cfg: PriorConfig, count: int, seed: int) -> float:
    """Per-network loop on raw tensors; returns nets/s."""
    g = torch.Generator().manual_seed(seed)
    X = all_inputs(cfg.n_inputs, cfg.inputs)
    act = activation_fn(cfg.activation)
    dims = [cfg.n_inputs, *cfg.widths, 1]
    t = time.perf_counter()
    with torch.no_grad():
        for _ in range(count):
            h = X
            for k, (a, b) in enumerate(zip(dims[:-1], dims[1:])):
                W = torch.randn(a, b, generator=g) * (cfg.sigma_w / math.sqrt(a))
                bias = torch.randn(b, generator=g) * cfg.sigma_b
                h = h @ W + bias
                if k < len(dims) - 2:
                    h = act(h)
            pack_tables((h.T > 0).numpy())
    return count / (time.perf_counter() - t)


def _loop_mlp(cfg: PriorConfig, count: int, seed: int) -> float:
    """Per-network loop building a compare.MLP each time; returns nets/s."""
    X = all_inputs(cfg.n_inputs, cfg.inputs)
    t = time.perf_counter()
    with torch.no_grad():
        for i in range(count):
            net = MLP(cfg.n_inputs, list(cfg.widths), cfg.activation, bias=cfg.bias, sigma_w=cfg.sigma_w,
                      sigma_b=cfg.sigma_b, seed=seed + i)
            pack_tables((net(X) > 0).numpy()[None, :])
    return count / (time.perf_counter() - t)


def _batched(cfg: PriorConfig, seed: int, **kw) -> tuple[float, tuple]:
    """nets/s and the counts themselves (to check that threads and workers do not change them)."""
    t = time.perf_counter()
    c = count_functions(cfg, seed, **kw)
    return cfg.samples / (time.perf_counter() - t), (tuple(c.tables), tuple(c.counts.tolist()))


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer networks (a smoke test)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "prior_bench.json"))
    args = ap.parse_args(argv)
    scale = 0.1 if args.quick else 1.0
    load_before = os.getloadavg()
    default_threads = torch.get_num_threads()
    rows = []
    for name, arch in ARCHS.items():
        deep = len(arch["widths"]) > 2
        batch = 256 if deep else 512
        n_batched = int((10_000 if deep else 200_000) * scale)
        n_loop = int((1_000 if deep else 3_000) * scale)
        cfg = PriorConfig(**arch, samples=n_batched, batch=batch, bases=(), measures=())
        # small per-network ops suffer from intra-op threading on a busy machine: time the loops with
        # torch's default threads and with one thread, and compare against the faster of the two
        loop_default = _loop_raw(cfg, n_loop, 0)
        loop_mlp_default = _loop_mlp(cfg, max(30, n_loop // 10), 0)
        torch.set_num_threads(1)
        loop_1t = _loop_raw(cfg, n_loop, 0)
        loop_mlp_1t = _loop_mlp(cfg, max(30, n_loop // 10), 0)
        torch.set_num_threads(default_threads)
        loop, loop_mlp = max(loop_default, loop_1t), max(loop_mlp_default, loop_mlp_1t)
        r_default, counts = _batched(cfg, 0)
        r_1t, counts_1t = _batched(cfg, 0, threads=1)
        r_2p, counts_2p = _batched(cfg, 0, workers=2)
        if not counts == counts_1t == counts_2p:
            raise SystemExit("threads or workers changed the counts: a reproducibility bug")
        distinct = len(counts[0])
        rows.append({"arch": name, "batch": batch, "samples": n_batched, "distinct_functions": distinct,
                     "loop_nets_per_s": round(loop, 1), "loop_mlp_nets_per_s": round(loop_mlp, 1),
                     "loop_default_threads_nets_per_s": round(loop_default, 1), "loop_1thread_nets_per_s": round(loop_1t, 1),
                     "loop_mlp_default_threads_nets_per_s": round(loop_mlp_default, 1),
                     "loop_mlp_1thread_nets_per_s": round(loop_mlp_1t, 1),
                     "batched_nets_per_s": round(r_default, 1), "batched_1thread_nets_per_s": round(r_1t, 1),
                     "batched_2proc_nets_per_s": round(r_2p, 1),
                     "best_batched_nets_per_s": round(max(r_default, r_1t, r_2p), 1),
                     "speedup_vs_loop": round(max(r_default, r_1t, r_2p) / loop, 1),
                     "speedup_vs_loop_mlp": round(max(r_default, r_1t, r_2p) / loop_mlp, 1)})
    load_after = os.getloadavg()
    result = {"bench": "prior", "rows": rows, "goal": ">= 50,000 nets/s for 7-40-40-1 relu on 2 cores",
              "cpu_count": os.cpu_count(), "torch_default_threads": default_threads,
              "load_average_before": [round(x, 2) for x in load_before],
              "load_average_after": [round(x, 2) for x in load_after],
              "python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
              "when": time.strftime("%Y-%m-%d %H:%M:%S"), "quick": args.quick}
    hdr = (f"{'architecture':16s} {'loop':>8s} {'loop-MLP':>9s} {'batched':>9s} {'1 thread':>9s} "
           f"{'2 procs':>9s} {'speed-up':>9s}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        print(f"{r['arch']:16s} {r['loop_nets_per_s']:8.0f} {r['loop_mlp_nets_per_s']:9.0f} "
              f"{r['batched_nets_per_s']:9.0f} {r['batched_1thread_nets_per_s']:9.0f} "
              f"{r['batched_2proc_nets_per_s']:9.0f} {r['speedup_vs_loop']:8.1f}x")
    print(f"(nets/s; loop = faster of default threads / 1 thread; speed-up = best batched / loop; "
          f"{os.cpu_count()} CPUs; load average "
          f"{load_before[0]:.1f} before, {load_after[0]:.1f} after)")
    out = Path(args.out)
    atomic_write_text(out, json.dumps(result, indent=1) + "\n")
    print(f"wrote {out}")
    return result


if __name__ == "__main__":
    main()
