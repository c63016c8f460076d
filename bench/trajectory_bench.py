"""Benchmark of the trajectory (issue 11): seconds per checkpoint for each probe and for the LLC, the whole
trajectory against the training time, and our LLC beside devinterp's at the same hyperparameters.

For each grokking case (`grokking_modular`, `sparse_parity_grokking`; the first seed only) the network is
trained as `occam case run` trains it, without the cache, so the training time is measured in this run
beside the trajectory's (the machine is shared: only ratios within one run mean much). Then:

* ``trajectory_s``: `compare.analysis.trajectory` at the run's `TrajectoryConfig` (as `compare.runs.study` calls it),
  timed whole; ``ratio`` = trajectory_s / train_s (goal: <= 0.5), and ``cpu_ratio`` the same in this
  process's CPU seconds (`time.process_time`), which other jobs on the machine disturb much less;
* per checkpoint, each default probe and the LLC timed on their own through the same code
  (`compare.run_probes` with one probe, `compare.analysis.trajectory.llc_point`), in CPU seconds as every
  per-checkpoint figure here (a probe run alone: ``min_size`` then reads the network's function itself,
  which inside the trajectory it shares with ``function``);
* ``ours_fixed_eps``: `estimate_llc` at the step ε the automatic calibration chose (so without the
  calibration's pilot chains and Hessians), the same chains, burn-in, draws, batch and seed;
* ``devinterp``: devinterp's `llc` (devinterp 2's successor of `estimate_learning_coeff_with_summary`)
  at the same ε, nβ, γ (localization), chains, burn-in, draws and batch, with independent minibatches
  per chain as ours (``match_sampling_input_ids_across_chains=False``), 1 torch thread as ours. Its own
  estimate averages every step, burn-in included (``devinterp_llc``); ``devinterp_llc_draws`` is the same
  formula over the draws only, as ours (from its per-step loss trace). ``ratio_ours_devinterp`` = seconds
  of ``ours_fixed_eps`` / seconds of devinterp (same work: chains x (burn-in + draws) SGLD steps; its
  seconds include its per-call setup: the dataset, the zarr store of the samples).

With ``--stability`` it also estimates the LLC at every checkpoint with the trajectory's defaults, with
``CHEAPER`` (half the draws: 2 chains x (100 burn-in + 50 draws)) and with ``REFERENCE`` (8 x (600 +
400)), all at the same automatic ε (the same seed calibrates it), and reports each one's deviation from
the reference in % and in combined SEs: the check behind `TrajectoryConfig`'s LLC defaults.

    python bench/trajectory_bench.py [--cases grokking_modular ...] [--no-devinterp] [--stability] [--out PATH]

Writes a table to stdout and JSON to bench/results/trajectory_bench.json.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import math
import os
import platform
import sys
import tempfile
import time
import warnings
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from compare.analysis.llc import estimate_llc  # noqa: E402
from compare.analysis.probes import run_probes  # noqa: E402
from compare.analysis.trajectory import DEFAULT_PROBES, TrajectoryConfig, llc_point, trajectory  # noqa: E402
from compare.networks.training import task_loss, train  # noqa: E402
from compare.runs.cases import load_case  # noqa: E402
from llc_bench import per_row_loss  # noqa: E402

CASES = ("grokking_modular", "sparse_parity_grokking")
CHEAPER = dict(chains=2, burn_in=100, draws=50)
REFERENCE = dict(chains=8, burn_in=600, draws=400)


def trained(name: str):
    """The first seed's network of case ``name``, trained now (no cache) as `compare.runs.study.run_seed` does."""
    case = load_case(name)
    seed = case.seeds()[0]
    split_seed = seed if case.config["task"]["split"] == "per_seed" else case.config["run"]["seed"]
    task = case.make_task(split_seed)
    c0 = time.process_time()
    net = train(task, case.make_model(task, seed), case.train_config(), seed=seed, cache=False)
    return net, seed, time.process_time() - c0


def devinterp_llc(model, X, y, row_loss, *, epsilon, nbeta, gamma, chains, draws, burn_in, batch_size, seed):
    """devinterp's `llc` at these hyperparameters: (seconds, its estimate, its SE, the estimate over the
    draws only, its SE). Its dataset is row indices in an "input_ids" column; its loss looks the rows up."""
    from datasets import Dataset
    from devinterp.slt.llc import llc

    rows = Dataset.from_dict({"input_ids": [[i, i] for i in range(len(X))]}).with_format("torch")

    def loss_fn(m, ids):
        i = ids[:, 0]
        return row_loss(m(X[i]), y[i])[:, None]

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    t0 = time.process_time()
    try:
        with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()), \
                tempfile.TemporaryDirectory() as tmp:                     # its progress bars; its zarr store
            warnings.simplefilter("ignore")
            res = llc(model, rows, {}, lr=epsilon, n_beta=nbeta, localization=gamma, num_chains=chains,
                      num_draws=draws, batch_size=batch_size, num_burnin_steps=burn_in,
                      num_init_loss_batches=max(1, len(X) // batch_size), match_sampling_input_ids_across_chains=False,
                      loss_fn=loss_fn, init_seed=seed, device="cpu", output_path=Path(tmp) / "samples.zarr")
            per = np.asarray(res["llc_per_chain"].values, dtype=float)
            trace = np.asarray(res["loss_trace"].values, dtype=float)           # (chain, step)
            init = float(res["init_loss"])
    finally:
        torch.set_num_threads(old)
    seconds = time.process_time() - t0
    drawn = nbeta * (trace[:, -draws:].mean(1) - init)
    se = lambda a: float(a.std(ddof=1) / math.sqrt(len(a))) if len(a) > 1 else float("nan")  # noqa: E731
    return seconds, float(per.mean()), se(per), float(drawn.mean()), se(drawn), trace.shape[1]


def stability(model, net, tc: TrajectoryConfig) -> dict:
    """The LLC at one checkpoint with the trajectory's settings, `CHEAPER` and `REFERENCE` (same seed: same ε)."""
    task, config = net.task, net.config
    Xtr, ytr, _, _ = task.dataset()
    settings = {"default": dict(chains=tc.llc_chains, burn_in=tc.llc_burn_in, draws=tc.llc_draws),
                "cheaper": CHEAPER, "reference": REFERENCE}
    out = {}
    for key, kw in settings.items():
        t = time.process_time()
        est = estimate_llc(model, Xtr, ytr, loss=lambda o, yb: task_loss(o, yb, task, config),
                           batch_size=tc.llc_batch_size, seed=tc.seed, **kw)
        out[key] = {**kw, "llc": _r(est.mean), "se": _r(est.se), "cpu_s": round(time.process_time() - t, 3),
                    "epsilon": est.config.epsilon, "problems": list(est.problems)}
    ref = out["reference"]
    for key in ("default", "cheaper"):
        r = out[key]
        if None not in (r["llc"], r["se"], ref["llc"], ref["se"]):
            dev = r["llc"] - ref["llc"]
            r["vs_reference_pct"] = _r(100 * dev / ref["llc"], 2)
            r["vs_reference_se"] = _r(dev / math.hypot(r["se"], ref["se"]), 2)
    return out


def bench_case(name: str, with_devinterp: bool, with_stability: bool = False, llc_epsilon: str = "each") -> dict:
    net, seed, train_cpu = trained(name)
    task, config = net.task, net.config
    train_s = float(net.seconds)
    epochs = sorted(net.checkpoints)
    print(f"{name} (seed {seed}): trained in {train_s:.2f} s to epoch {net.history['epoch'][-1]}, "
          f"fit {net.fit_epoch}, generalised {net.generalise_epoch}, {len(epochs)} checkpoints", flush=True)
    tc = TrajectoryConfig(seed=seed, llc_epsilon=llc_epsilon)     # as compare.runs.study runs it (default "each")
    t0, c0 = time.perf_counter(), time.process_time()
    records = trajectory(net, tc)
    trajectory_s, trajectory_cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f"  trajectory: {trajectory_s:.2f} s = {trajectory_s / train_s:.0%} of training "
          f"(CPU: {trajectory_cpu:.2f} s = {trajectory_cpu / train_cpu:.0%} of {train_cpu:.2f} s)", flush=True)

    Xtr, ytr, _, _ = task.dataset()
    row_loss = per_row_loss(task, config)
    names = ("fit",) + tuple(p for p in DEFAULT_PROBES[task.domain] if p != "fit")
    model = copy.deepcopy(net.model)
    rows = []
    for rec, epoch in zip(records, epochs):
        model.load_state_dict(net.checkpoints[epoch])
        model.eval()
        row = {"epoch": epoch, "probe_s": {}}
        for p in names:
            t = time.process_time()
            run_probes(model, task, [p], config=config, seed=tc.seed,
                       options={p: tc.options[p]} if p in tc.options else None)
            row["probe_s"][p] = round(time.process_time() - t, 4)
        t = time.process_time()
        shared = llc_point(model, net, tc, epsilon=rec["llc_epsilon"]) if llc_epsilon == "shared" else None
        row["llc_shared_eps_s"] = round(time.process_time() - t, 4)
        if shared is None:
            row.update(llc_shared=None)
        elif shared.mean == rec["llc"]:
            row.update(llc_shared=_r(shared.mean), llc_shared_se=_r(shared.se), epsilon_shared=rec["llc_epsilon"])
        else:                                         # re-calibrated there: the record holds its own step
            row.update(llc_shared=None, recalibrated=True)
        t = time.process_time()
        est = llc_point(model, net, tc)              # with this checkpoint's own calibrated step
        row["llc_s"] = round(time.process_time() - t, 4)
        c = est.config
        if shared is None:
            assert est.mean == rec["llc"] or (math.isnan(est.mean) and rec["llc"] is None), (est.mean, rec["llc"])
        if row["llc_shared"] is not None and None not in (_r(est.mean), _r(est.se), _r(shared.se)):
            row["shared_minus_own_se"] = _r((shared.mean - est.mean) / math.hypot(shared.se, est.se), 2)
            row["shared_minus_own_pct"] = _r(100 * (shared.mean - est.mean) / est.mean, 2)
        row.update(llc=_r(est.mean), llc_se=_r(est.se), stable=est.stable, problems=list(est.problems),
                   epsilon=c.epsilon, nbeta=c.nbeta, gamma=c.gamma, chains=c.chains, burn_in=c.burn_in,
                   draws=c.draws, batch_size=c.batch_size, step_halvings=est.step_halvings)
        hp = dict(epsilon=c.epsilon, nbeta=c.nbeta, gamma=c.gamma, chains=c.chains, draws=c.draws,
                  burn_in=c.burn_in, batch_size=c.batch_size)
        t = time.process_time()
        fixed = estimate_llc(model, Xtr, ytr, loss=lambda out, yb: task_loss(out, yb, task, config), seed=tc.seed,
                             **hp)
        row["ours_fixed_eps_s"] = round(time.process_time() - t, 4)
        row.update(ours_fixed_eps_llc=_r(fixed.mean), ours_fixed_eps_se=_r(fixed.se))
        if with_devinterp:
            out = model(Xtr[:8])
            assert torch.allclose(row_loss(out, ytr[:8]).mean(), task_loss(out, ytr[:8], task, config), rtol=1e-5)
            s, v, v_se, vd, vd_se, steps = devinterp_llc(model, Xtr, ytr, row_loss, seed=tc.seed, **hp)
            assert steps == c.burn_in + c.draws, steps
            row.update(devinterp_s=round(s, 4), devinterp_llc=_r(v), devinterp_se=_r(v_se),
                       devinterp_llc_draws=_r(vd), devinterp_llc_draws_se=_r(vd_se),
                       ratio_ours_devinterp=round(row["ours_fixed_eps_s"] / s, 3))
        if with_stability:
            row["stability"] = stability(model, net, tc)
        rows.append(row)
        print(_line(row), flush=True)
    n = len(rows)
    per_probe = {p: round(sum(r["probe_s"][p] for r in rows) / n, 4) for p in names}
    summary = {"case": name, "seed": seed, "seeds_measured": 1, "train_s": round(train_s, 3),
               "train_cpu_s": round(train_cpu, 3), "trajectory_cpu_s": round(trajectory_cpu, 3),
               "cpu_ratio": round(trajectory_cpu / train_cpu, 3),
               "epochs": net.history["epoch"][-1], "fit_epoch": net.fit_epoch,
               "generalise_epoch": net.generalise_epoch, "checkpoints": n,
               "trajectory_s": round(trajectory_s, 3), "ratio": round(trajectory_s / train_s, 3),
               "probe_s_per_checkpoint": per_probe,
               "llc_s_per_checkpoint": round(sum(r["llc_s"] for r in rows) / n, 4),
               "llc_shared_eps_s_per_checkpoint": round(sum(r["llc_shared_eps_s"] for r in rows) / n, 4),
               "shared_minus_own_se": [r.get("shared_minus_own_se") for r in rows],
               "recalibrated": sum(bool(r.get("recalibrated")) for r in rows),
               "ours_fixed_eps_s_per_checkpoint": round(sum(r["ours_fixed_eps_s"] for r in rows) / n, 4),
               "trajectory_config": {"chains": tc.llc_chains, "burn_in": tc.llc_burn_in, "draws": tc.llc_draws,
                                     "batch_size": tc.llc_batch_size}}
    if with_devinterp:
        dv = sum(r["devinterp_s"] for r in rows)
        summary["devinterp_s_per_checkpoint"] = round(dv / n, 4)
        summary["ratio_ours_devinterp"] = round(sum(r["ours_fixed_eps_s"] for r in rows) / dv, 3)
        diffs = [(r["ours_fixed_eps_llc"] - r["devinterp_llc_draws"]) / math.hypot(r["ours_fixed_eps_se"],
                                                                                  r["devinterp_llc_draws_se"])
                 for r in rows if None not in (r["ours_fixed_eps_llc"], r["devinterp_llc_draws"],
                                               r["ours_fixed_eps_se"], r["devinterp_llc_draws_se"])]
        summary["ours_minus_devinterp_in_se"] = [round(d, 2) for d in diffs]
    return {"summary": summary, "checkpoints": rows}


def _r(x, nd: int = 4):
    return None if x is None or not math.isfinite(x) else round(float(x), nd)


def _line(r: dict) -> str:
    probes = " ".join(f"{k} {v * 1e3:.0f}ms" for k, v in r["probe_s"].items())
    s = (f"  epoch {r['epoch']:>5}: {probes}; LLC shared eps {r['llc_shared_eps_s']:.2f}s = {r.get('llc_shared')}; "
         f"own eps {r['llc_s']:.2f}s = {r['llc']} ± {r['llc_se']} "
         f"(eps {r['epsilon']:.3g}); fixed eps {r['ours_fixed_eps_s']:.2f}s = {r['ours_fixed_eps_llc']}")
    if "devinterp_s" in r:
        s += (f"; devinterp {r['devinterp_s']:.2f}s = {r['devinterp_llc_draws']} ± {r['devinterp_llc_draws_se']} "
              f"(all steps {r['devinterp_llc']})")
    if "stability" in r:
        s += "; " + ", ".join(f"{k} {v['llc']} ± {v['se']}" for k, v in r["stability"].items())
    return s


def _table(cases: list[dict]) -> str:
    lines = ["| case | train s | trajectory s | ratio | CPU ratio | probes s / ckpt | LLC s / ckpt | "
             "LLC s / ckpt, eps given | devinterp s / ckpt | ours / devinterp |", "|" + "---|" * 10]
    for c in cases:
        s = c["summary"]
        probes = ", ".join(f"{k} {v:.3f}" for k, v in s["probe_s_per_checkpoint"].items())
        dv = s.get("devinterp_s_per_checkpoint")
        lines.append(f"| {s['case']} | {s['train_s']:.2f} | {s['trajectory_s']:.2f} | {s['ratio']:.2f} | "
                     f"{s['cpu_ratio']:.2f} | {probes} | "
                     f"{s['llc_s_per_checkpoint']:.3f} | {s['ours_fixed_eps_s_per_checkpoint']:.3f} | "
                     f"{'-' if dv is None else f'{dv:.3f}'} | {s.get('ratio_ours_devinterp', '-')} |")
    lines += ["", "| case | epoch | LLC ± SE, eps shared (--llc-epsilon shared) | own eps (the default) | shared - own (SE) | "
              "ours, own eps given | devinterp, draws only | devinterp, all steps |", "|" + "---|" * 8]
    for c in cases:
        for r in c["checkpoints"]:
            dv = (f"{r['devinterp_llc_draws']} ± {r['devinterp_llc_draws_se']} | {r['devinterp_llc']}"
                  if "devinterp_s" in r else "- | -")
            shared = ("re-calibrated" if r.get("recalibrated") else "-" if r["llc_shared"] is None else
                      f"{r['llc_shared']} ± {r['llc_shared_se']} (eps {r['epsilon_shared']:.3g})")
            lines.append(f"| {c['summary']['case']} | {r['epoch']} | {shared} | {r['llc']} ± {r['llc_se']} "
                         f"(eps {r['epsilon']:.3g}) | {r.get('shared_minus_own_se', '-')} | "
                         f"{r['ours_fixed_eps_llc']} ± {r['ours_fixed_eps_se']} | {dv} |")
    if any("stability" in r for c in cases for r in c["checkpoints"]):
        lines += ["", f"Stability: LLC ± SE per setting; deviation from the reference ({REFERENCE}) in % and SE",
                  "", "| case | epoch | default | vs ref | cheaper | vs ref | reference | CPU s default / cheaper / ref |",
                  "|" + "---|" * 8]
        for c in cases:
            for r in c["checkpoints"]:
                st = r.get("stability")
                if not st:
                    continue
                d, o, ref = st["default"], st["cheaper"], st["reference"]
                dev = lambda x: (f"{x['vs_reference_pct']:+.1f} % ({x['vs_reference_se']:+.1f} SE)"  # noqa: E731
                                 if x.get("vs_reference_pct") is not None else "-")
                lines.append(f"| {c['summary']['case']} | {r['epoch']} | {d['llc']} ± {d['se']} | {dev(d)} | "
                             f"{o['llc']} ± {o['se']} | {dev(o)} | {ref['llc']} ± {ref['se']} | "
                             f"{d['cpu_s']:.2f} / {o['cpu_s']:.2f} / {ref['cpu_s']:.2f} |")
    return "\n".join(lines)


def _version(pkg: str) -> str | None:
    try:
        return version(pkg)
    except PackageNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cases", nargs="+", default=list(CASES))
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "trajectory_bench.json"))
    ap.add_argument("--no-devinterp", action="store_true", help="skip devinterp's estimator")
    ap.add_argument("--stability", action="store_true",
                    help="also the LLC with half the draws and a long reference run per checkpoint")
    ap.add_argument("--llc-epsilon", choices=("each", "shared"), default="each",
                    help="the trajectory's step: calibrated per checkpoint, or once at the last (see "
                         "TrajectoryConfig.llc_epsilon); 'shared' adds each checkpoint's own-step estimate beside it")
    args = ap.parse_args(argv)
    with_devinterp = not args.no_devinterp and _version("devinterp") is not None
    load0 = list(os.getloadavg())
    cases = [bench_case(name, with_devinterp, args.stability, args.llc_epsilon) for name in args.cases]
    print()
    print(_table(cases))
    meta = {"python": platform.python_version(), "torch": torch.__version__, "numpy": np.__version__,
            "devinterp": _version("devinterp") if with_devinterp else None, "cpus": os.cpu_count(),
            "platform": platform.platform(), "torch_threads": 1, "load_average_start": load0,
            "load_average_end": list(os.getloadavg()), "cheaper": CHEAPER, "reference": REFERENCE,
            "command": "python bench/trajectory_bench.py " + " ".join(argv if argv is not None else sys.argv[1:])}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".json.tmp")
    tmp.write_text(json.dumps({"meta": meta, "cases": cases}, indent=1))
    os.replace(tmp, out)
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
