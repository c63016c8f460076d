"""Benchmark of `compare`: train + extract time per task, circuit sizes and fidelities; prints a table, writes JSON.

For each Boolean task a 1-hidden-layer ReLU MLP (width 128) is trained with SGD + hinge + weight decay
until held-out accuracy reaches 0.99, then 300 cleanup epochs; both extraction methods run on it. The
Z_p task trains Gromov's two-layer quadratic network on a + b mod 97 and runs the Fourier report.
No checkpoint cache (timings are real), one torch thread in training (the library default).

    python bench/extract_bench.py [--seeds 0 1 2] [--out bench/results/extract_bench.json] [--quick]

Goal (issue 3): train + extract <= 30 s per task on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

import compare  # noqa: E402
from compare import MLP, TrainConfig, ZpMLP, extract, fourier_report, make_task, net_function, train  # noqa: E402

BOOL_CFG = TrainConfig(optimizer="sgd", lr=0.1, momentum=0.9, weight_decay=0.01, loss="hinge", epochs=2000,
                       cleanup_epochs=300, stop_at_generalise=True)
ZP_CFG = TrainConfig(optimizer="adamw", lr=0.01, weight_decay=1.0, loss="mse", epochs=600, cleanup_epochs=20,
                     stop_at_generalise=True, eval_every=10)

BOOL_TASKS = [
    ("parity3of20", dict(target="parity", n=20, k=3, train_count=2000)),
    ("parity3of12", dict(target="parity", n=12, k=3, train_fraction=0.5)),
    ("majority5of12", dict(target="majority", n=12, k=5, train_fraction=0.5)),
    ("mux6of10", dict(target="mux", a=2, n=10, train_fraction=0.5)),
    ("and3of8", dict(target="and", n=8, k=3, train_fraction=0.5)),
    ("threshold2of4in8", dict(target="threshold", n=8, k=4, t=2, train_fraction=0.5)),
    ("equality2in8", dict(target="equality2", n=8, train_fraction=0.5)),
    ("compare2in8", dict(target="compare2", n=8, train_fraction=0.5)),
]
QUICK = {"parity3of20", "majority5of12", "mux6of10"}


def bool_item(name: str, spec: dict, seed: int, budget: int, budget_s: float | None) -> list[dict]:
    spec = dict(spec)
    task = make_task(spec.pop("target"), seed=seed, **spec)
    t0 = time.perf_counter()
    net = train(task, MLP(task.n_inputs, [128], seed=seed), BOOL_CFG, seed=seed, cache=False)
    t_train = time.perf_counter() - t0
    rows = []
    fn = net_function(net, synthesize=False)
    for method in ("prune_discretise", "magnitude"):
        t1 = time.perf_counter()
        try:
            c = extract(net, method=method, budget=budget, budget_s=budget_s)
        except compare.CompareError as exc:
            rows.append({"task": name, "seed": seed, "method": method, "error": str(exc),
                         "train_s": t_train, "test_acc": net.test_acc})
            continue
        t_extract = time.perf_counter() - t1
        target_support = tuple(i for i in range(task.n_inputs)
                               if np.any(task.labels != task.labels[np.arange(task.domain_size) ^ (1 << i)]))
        rows.append({
            "task": name, "seed": seed, "method": method, "n_inputs": task.n_inputs,
            "train_s": round(t_train, 3), "extract_s": round(t_extract, 3),
            "total_s": round(t_train + t_extract, 3), "epochs": net.history["epoch"][-1],
            "fit_epoch": net.fit_epoch, "generalise_epoch": net.generalise_epoch, "test_acc": net.test_acc,
            "net_equals_target": bool(fn.table == task.table), "net_support": list(fn.support),
            "target_support": list(target_support), "neurons": c.n_neurons, "edges": c.n_edges,
            "gates": c.n_gates, "support": list(c.support), "fidelity": c.fidelity, "exact": c.exact,
            "exhaustive": c.exhaustive, "n_points": c.n_points, "program": str(c.program),
        })
    return rows


def zp_item(seed: int, width: int = 256) -> dict:
    task = make_task("add", p=97, train_fraction=0.5, seed=seed)
    t0 = time.perf_counter()
    net = train(task, ZpMLP(97, width, seed=seed), ZP_CFG, seed=seed, cache=False)
    t_train = time.perf_counter() - t0
    t1 = time.perf_counter()
    r = fourier_report(net)
    t_fourier = time.perf_counter() - t1
    return {"task": "add_mod97", "seed": seed, "method": "fourier", "train_s": round(t_train, 3),
            "extract_s": round(t_fourier, 3), "total_s": round(t_train + t_fourier, 3),
            "epochs": net.history["epoch"][-1], "generalise_epoch": net.generalise_epoch,
            "test_acc": net.test_acc, "n_key": len(r.key_frequencies), **r.summary()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "extract_bench.json"))
    ap.add_argument("--budget", type=float, default=30e6,
                    help="synthesis work units per neuron (see synth.budget; 3e7 is about 2 CPU seconds)")
    ap.add_argument("--budget-s", type=float, default=None, help="optional wall-clock valve per neuron, seconds")
    ap.add_argument("--quick", action="store_true", help="three tasks, first seed only")
    args = ap.parse_args(argv)
    seeds = args.seeds[:1] if args.quick else args.seeds
    rows: list[dict] = []
    for name, spec in BOOL_TASKS:
        if args.quick and name not in QUICK:
            continue
        for seed in seeds:
            rows += bool_item(name, spec, seed, int(args.budget), args.budget_s)
            for r in rows[-2:]:
                print(_line(r), flush=True)
    for seed in seeds:
        rows.append(zp_item(seed))
        print(_line(rows[-1]), flush=True)
    print()
    print(_table(rows))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
            "cpus": os.cpu_count(), "platform": platform.platform(), "seeds": seeds,
            "train_config_bool": BOOL_CFG.to_dict(), "train_config_zp": ZP_CFG.to_dict(),
            "synth_budget_per_neuron": int(args.budget), "synth_budget_s_per_neuron": args.budget_s}
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    os.replace(tmp, out)
    print(f"\nwrote {out}")
    return 0


def _line(r: dict) -> str:
    if "error" in r:
        return f"{r['task']:<18} seed {r['seed']} {r['method']:<16} ERROR {r['error']}"
    if r["method"] == "fourier":
        return (f"{r['task']:<18} seed {r['seed']} fourier          train {r['train_s']:6.1f}s  fourier "
                f"{r['extract_s']:5.1f}s  test {r['test_acc']:.4f}  keys {len(r['key_frequencies'])}  "
                f"smallest faithful {r['n_smallest_faithful']}")
    return (f"{r['task']:<18} seed {r['seed']} {r['method']:<16} train {r['train_s']:6.1f}s  extract "
            f"{r['extract_s']:5.1f}s  test {r['test_acc']:.3f}  neurons {r['neurons']:2d}  gates {r['gates']:3d}  "
            f"fid {r['fidelity']:.4f}  support {r['support']}")


def _table(rows: list[dict]) -> str:
    """Per task x method: medians over seeds of time and size, min fidelity, supports exact in how many seeds."""
    groups: dict[tuple[str, str], list[dict]] = {}
    for r in rows:
        groups.setdefault((r["task"], r["method"]), []).append(r)
    head = (f"{'task':<18} {'method':<16} {'seeds':>5} {'train s':>8} {'extract s':>9} {'total s':>8} "
            f"{'neurons':>7} {'edges':>5} {'gates':>5} {'min fid':>7} {'support=target':>14} {'test acc':>8}")
    lines = [head, "-" * len(head)]
    for (task, method), rs in groups.items():
        ok = [r for r in rs if "error" not in r]
        med = lambda k: float(np.median([r[k] for r in ok])) if ok and all(k in r for r in ok) else float("nan")  # noqa
        if method == "fourier":
            lines.append(f"{task:<18} {method:<16} {len(rs):>5} {med('train_s'):>8.1f} {med('extract_s'):>9.1f} "
                         f"{med('total_s'):>8.1f} {'':>7} {'':>5} {'':>5} {'':>7} {'':>14} "
                         f"{min(r['test_acc'] for r in ok):>8.4f}   (median key frequencies "
                         f"{med('n_key'):.0f}, smallest faithful set {med('n_smallest_faithful'):.0f})")
            continue
        sup = sum(r["support"] == r["target_support"] for r in ok)
        lines.append(f"{task:<18} {method:<16} {len(rs):>5} {med('train_s'):>8.1f} {med('extract_s'):>9.1f} "
                     f"{med('total_s'):>8.1f} {med('neurons'):>7.0f} {med('edges'):>5.0f} {med('gates'):>5.0f} "
                     f"{min((r['fidelity'] for r in ok), default=float('nan')):>7.4f} "
                     f"{f'{sup}/{len(rs)}':>14} {min(r['test_acc'] for r in ok) if ok else float('nan'):>8.3f}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
