"""Benchmark of `compare.estimate_llc`: seconds per LLC estimate on two case networks, beside devinterp.

For the cases `modular_addition` (Gromov's quadratic MLP on a + b mod 97) and `sparse_parity`
(ReLU MLP on 3-of-20 parity) the network of the case's first seed is trained as `occam run` trains it
(no cache, so the training time is real), and its LLC is estimated on the training rows with the case's
training loss:

* ``default``: `estimate_llc` at its defaults (automatic ε, nβ = n / ln n, γ = 100, 4 chains x (100
  burn-in + 200 draws), batch min(n, 256));
* ``devinterp``: devinterp's `llc` (if installed) at the same resolved ε, nβ, γ, batch, chains, draws and
  burn-in (its dataset is row indices in an "input_ids" column; its loss looks the rows up). devinterp
  averages every step's loss, burn-in included, so its estimate runs lower when the chain is still rising;
* cheaper settings: smaller batches, fewer chains and draws, each compared with a reference run (half
  the default's ε, 8 chains x (400 burn-in + 800 draws), batch 256) by its deviation in % and in SEs.

    python bench/llc_bench.py [--out bench/results/llc_bench.json] [--no-devinterp] [--quick]

Goal (issue 11): an LLC per checkpoint costs a fraction of training (the whole trajectory <= 50 % of it).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from compare.analysis.llc import estimate_llc  # noqa: E402
from compare.networks.training import train  # noqa: E402
from compare.runs.cases import load_case  # noqa: E402

CASES = ("modular_addition", "sparse_parity")
REFERENCE = dict(chains=8, draws=800, burn_in=400, batch_size=256)    # and half the default's ε
GRID = [dict(chains=2), dict(draws=100, burn_in=50), dict(batch_size=64), dict(batch_size=64, chains=2),
        dict(batch_size=64, chains=2, draws=100, burn_in=50), dict(batch_size=32, chains=2, draws=100, burn_in=50)]


def per_row_loss(task, config):
    """The case's training loss per row (what `compare.train` minimises, before the mean over rows)."""
    margin = config.hinge_margin

    def loss(out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if task.domain == "bool":
            s = y.to(out.dtype) * 2 - 1
            if config.loss == "hinge":
                return torch.relu(margin - s * out)
            if config.loss == "ce":
                return torch.nn.functional.binary_cross_entropy_with_logits(out, y.to(out.dtype), reduction="none")
            return (out - s) ** 2
        if config.loss == "hinge":
            return torch.nn.functional.multi_margin_loss(out, y, margin=margin, reduction="none")
        if config.loss == "ce":
            return torch.nn.functional.cross_entropy(out, y, reduction="none")
        return ((out - torch.nn.functional.one_hot(y, out.shape[1]).to(out.dtype)) ** 2).sum(1)
    return loss


def trained(name: str):
    case = load_case(name)             # a shipped case (compare/case_files)
    seed = case.seeds()[0]
    split_seed = seed if case.config["task"]["split"] == "per_seed" else case.config["run"]["seed"]
    task = case.make_task(split_seed)
    net = train(task, case.make_model(task, seed), case.train_config(), seed=seed, cache=False)
    X, y, _, _ = task.dataset()
    return net, X, y, per_row_loss(task, case.train_config())


def ours(net, X, y, row_loss, seed: int, **kw) -> dict:
    t0 = time.perf_counter()
    est = estimate_llc(net.model, X, y, loss=lambda out, t: row_loss(out, t).mean(), seed=seed, **kw)
    s = time.perf_counter() - t0
    c = est.config
    return {"seconds": round(s, 3), "llc": _r(est.mean), "se": _r(est.se), "stable": est.stable,
            "problems": list(est.problems), "epsilon": c.epsilon, "nbeta": round(c.nbeta, 3), "gamma": c.gamma,
            "chains": c.chains, "draws": c.draws, "burn_in": c.burn_in, "batch_size": c.batch_size,
            "step_halvings": est.step_halvings, "hessian_top": _r(est.hessian_top), "d": est.d, "n": est.n}


def devinterp_row(net, X, y, row_loss, ref: dict) -> dict:
    from datasets import Dataset
    from devinterp.slt.llc import llc as devinterp_llc

    rows = Dataset.from_dict({"input_ids": [[i, i] for i in range(len(X))]}).with_format("torch")

    def loss_fn(model, ids):
        i = ids[:, 0]
        return row_loss(model(X[i]), y[i])[:, None]

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    t0 = time.perf_counter()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()), \
                tempfile.TemporaryDirectory() as tmp:                     # its progress bars; its zarr store
            warnings.simplefilter("ignore")
            res = devinterp_llc(net.model, rows, {}, lr=ref["epsilon"], n_beta=ref["nbeta"], localization=ref["gamma"],
                                num_chains=ref["chains"], num_draws=ref["draws"], batch_size=ref["batch_size"],
                                num_burnin_steps=ref["burn_in"],
                                num_init_loss_batches=max(1, len(X) // ref["batch_size"]),
                                loss_fn=loss_fn, init_seed=0, device="cpu", output_path=Path(tmp) / "samples.zarr")
            per = np.asarray(res["llc_per_chain"].values, dtype=float)
    finally:
        torch.set_num_threads(old)
    s = time.perf_counter() - t0
    se = float(per.std(ddof=1) / math.sqrt(len(per)))
    return {"seconds": round(s, 3), "llc": _r(float(per.mean())), "se": _r(se)}


def _r(x, nd: int = 4):
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "llc_bench.json"))
    ap.add_argument("--no-devinterp", action="store_true", help="skip devinterp's estimator")
    ap.add_argument("--quick", action="store_true", help="defaults only: no reference run and no grid")
    args = ap.parse_args(argv)
    have_devinterp = not args.no_devinterp
    if have_devinterp:
        try:
            import devinterp  # noqa: F401
        except ImportError:
            have_devinterp = False
    rows = []
    for name in CASES:
        net, X, y, row_loss = trained(name)
        train_s = round(net.seconds, 3)
        print(f"{name}: trained in {train_s:.1f}s ({net.history['epoch'][-1]} epochs, n = {len(X)})", flush=True)
        base = {"case": name, "train_s": train_s, "epochs": net.history["epoch"][-1]}
        default = ours(net, X, y, row_loss, seed=0)
        rows.append({**base, "setting": "default", **default})
        print(_line(rows[-1]), flush=True)
        if have_devinterp:
            dv = devinterp_row(net, X, y, row_loss, default)
            rows.append({**base, "setting": "devinterp (same hyperparameters)", **dv,
                         "ratio_vs_ours": round(dv["seconds"] / default["seconds"], 2)})
            print(_line(rows[-1]), flush=True)
        if args.quick:
            continue
        ref = ours(net, X, y, row_loss, seed=1, epsilon=default["epsilon"] / 2, **REFERENCE)
        rows.append({**base, "setting": "reference", **ref})
        print(_line(rows[-1]), flush=True)
        for kw in GRID:
            r = ours(net, X, y, row_loss, seed=0, **kw)
            dev = (r["llc"] - ref["llc"]) if r["llc"] is not None and ref["llc"] is not None else None
            rows.append({**base, "setting": ", ".join(f"{k}={v}" for k, v in kw.items()), **r,
                         "vs_reference_pct": _r(100 * dev / ref["llc"], 2) if dev is not None else None,
                         "vs_reference_se": _r(dev / math.hypot(ref["se"], r["se"]), 2) if dev is not None else None})
            print(_line(rows[-1]), flush=True)
    print()
    print(_table(rows))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    meta = {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
            "cpus": os.cpu_count(), "platform": platform.platform(), "threads": 1,
            "load_average": list(os.getloadavg()), "reference": REFERENCE,
            "devinterp": _version("devinterp") if have_devinterp else None}
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"meta": meta, "rows": rows}, indent=1))
    os.replace(tmp, out)
    print(f"\nwrote {out}")
    return 0


def _version(pkg: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(pkg)
    except PackageNotFoundError:
        return None


def _line(r: dict) -> str:
    extra = ""
    if "ratio_vs_ours" in r:
        extra = f"  {r['ratio_vs_ours']:.1f}x our time"
    elif r.get("vs_reference_pct") is not None:
        extra = f"  vs reference {r['vs_reference_pct']:+.1f}% ({r['vs_reference_se']:+.1f} SE)"
    stable = "" if "stable" not in r else ("  stable" if r["stable"] else f"  UNSTABLE {r['problems']}")
    eps = f"  eps {r['epsilon']:.2g} bs {r['batch_size']}" if "epsilon" in r else ""
    return (f"{r['case']:<17} {r['setting']:<44} {r['seconds']:7.2f}s  llc {r['llc']} ± {r['se']}"
            f"{eps}{stable}{extra}")


def _table(rows: list[dict]) -> str:
    head = "| case | setting | s / estimate | % of training | LLC ± SE | vs reference | stable |"
    lines = [head, "|" + "---|" * 7]
    for r in rows:
        ref = ""
        if r.get("vs_reference_pct") is not None:
            ref = f"{r['vs_reference_pct']:+.1f} % ({r['vs_reference_se']:+.1f} SE)"
        if "ratio_vs_ours" in r:
            ref = f"{r['ratio_vs_ours']:.1f}x our time"
        lines.append(f"| {r['case']} | {r['setting']} | {r['seconds']:.2f} | {100 * r['seconds'] / r['train_s']:.0f} | "
                     f"{r['llc']} ± {r['se']} | {ref} | {r.get('stable', '')} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
