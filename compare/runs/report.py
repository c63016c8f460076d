"""Reports: ``report.md`` and figures (matplotlib, Agg) for a run folder written by `compare.run_case`.

`write_report(folder)` re-renders everything from the files in the folder (manifest, each seed's
``metrics.json`` read back into a typed `SeedRecord`, histories, circuits), so ``occam report RUN_FOLDER``
works on any finished or partial run. Figures use the Okabe-Ito colour-blind-safe palette, label their axes
with units, state the finding in the title and show the number of seeds.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import textwrap
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Sequence

import networkx as nx
import numpy as np

import synth

from ..analysis.structure import program_graph as _graph
from ..analysis.trajectory import measures
from ..errors import CompareError
from ..output.figures import pyplot, save_png
from ..output.runfolder import (RunFolderError, atomic_write_bytes, atomic_write_json, atomic_write_text, check_schema,
                                claim, read_json_file, remove_stale_temps)
from .metrics import SeedRecord, aggregate, case_metrics, seed_record

__all__ = ["write_report", "render_markdown", "load_run", "LoadedRun", "SeedFiles", "draw_program", "dot_layout",
           "layered_layout", "OKABE_ITO"]

OKABE_ITO = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]

_COMPARATORS = [("shortest_best", "shortest program"), ("posterior_map", "length-prior posterior"),
                ("target", "target"), ("nearest_neighbour", "nearest neighbour"),
                ("min_degree", "min-degree interpolator"), ("majority", "majority label")]


# what the report reads from each file: key -> expected JSON type (dict, list, str, int, a tuple of types)
_MANIFEST_KEYS = {"case": str, "title": str, "source": str, "hash": str, "config": dict, "n_seeds": int,
                  "seeds": list, "seed_derivation": str}
_CONFIG_SECTIONS = ("case", "task", "net", "train", "extract", "synth", "run")
_SEED_KEYS = {"seed_index": int, "seed": int, "task": dict, "training": dict, "synthesis": dict,
              "comparisons": dict}
_COMPARISON_KEYS = {"function": dict, "complexity": dict, "structure": dict, "verdict": str, "notes": list}
_SYNTHESIS_KEYS = {"shortest": list, "exact": (bool, type(None)), "notes": list}
_HISTORY_KEYS = {"epoch": list, "train_acc": list, "test_acc": list}


def _need_keys(doc: dict, keys: dict, path: Path, what: str, where: str = "") -> None:
    for k, t in keys.items():
        if k not in doc:
            raise RunFolderError(f"{path}: damaged {what}: no key {where}{k!r}")
        if not isinstance(doc[k], t) or (t is int and isinstance(doc[k], bool)):
            raise RunFolderError(f"{path}: damaged {what}: {where}{k!r} is {type(doc[k]).__name__} "
                                 f"{str(doc[k])[:40]!r}")


def _read_manifest(folder: Path) -> dict:
    path = folder / "manifest.json"
    man = read_json_file(path, "manifest")
    check_schema(man, path)
    _need_keys(man, _MANIFEST_KEYS, path, "manifest")
    for sec in _CONFIG_SECTIONS:
        if not isinstance(man["config"].get(sec), dict):
            raise RunFolderError(f"{path}: damaged manifest: config has no [{sec}] section")
    bases = man["config"]["synth"].get("bases")
    if not isinstance(bases, list) or not bases or not all(isinstance(b, str) for b in bases):
        raise RunFolderError(f"{path}: damaged manifest: config.synth.bases is {bases!r}")
    idx = man.get("seed_indices", list(range(man["n_seeds"])))
    if not isinstance(idx, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in idx):
        raise RunFolderError(f"{path}: damaged manifest: seed_indices is {idx!r}")
    man["seed_indices"] = idx
    return man


@dataclass(frozen=True)
class SeedFiles:
    """One finished seed folder as the report reads it: the typed per-seed record (``metrics.json``) and
    the side files (``history.json``, ``timings.json``, ``trajectory.json``; None or empty when absent)."""

    record: SeedRecord
    folder: Path
    history: dict | None
    timings: dict
    trajectory: dict | None


@dataclass(frozen=True)
class LoadedRun:
    """A run folder as `load_run` reads it: the manifest, the finished seeds it lists (in seed order), their
    aggregate (`compare.runs.metrics.aggregate`) and the finished seed folders it does not list."""

    folder: Path
    manifest: dict
    seeds: tuple[SeedFiles, ...]
    aggregate: dict
    extra_seeds: tuple[str, ...]


def _read_seed(sd: Path, bases: list[str]) -> SeedFiles:
    path = sd / "metrics.json"
    m = read_json_file(path, "seed metrics")
    check_schema(m, path)
    _need_keys(m, _SEED_KEYS, path, "seed metrics")
    for b, c in m["comparisons"].items():
        if not isinstance(c, dict):
            raise RunFolderError(f"{path}: damaged seed metrics: comparisons.{b} is {type(c).__name__}")
        _need_keys(c, _COMPARISON_KEYS, path, "seed metrics", f"comparisons.{b}.")
        if b not in m["synthesis"] or not isinstance(m["synthesis"][b], dict):
            raise RunFolderError(f"{path}: damaged seed metrics: no synthesis record of basis {b!r}")
        _need_keys(m["synthesis"][b], _SYNTHESIS_KEYS, path, "seed metrics", f"synthesis.{b}.")
    missing = [b for b in bases if b not in m["comparisons"]]
    if missing:
        raise RunFolderError(f"{path}: damaged seed metrics: no comparison in basis {missing[0]!r} of the manifest")
    record = seed_record(m, path)
    # JSON files sort their keys: restore the case's order of bases
    record = replace(record, **{key: {b: getattr(record, key)[b] for b in bases if b in getattr(record, key)}
                                for key in ("synthesis", "extraction", "comparisons", "circuits")})
    history = None
    if (sd / "history.json").is_file():
        history = read_json_file(sd / "history.json", "training history")
        _need_keys(history, _HISTORY_KEYS, sd / "history.json", "training history")
    timings = read_json_file(sd / "timings.json", "timings") if (sd / "timings.json").is_file() else {}
    trajectory = None
    if (sd / "trajectory.json").is_file():
        trajectory = read_json_file(sd / "trajectory.json", "trajectory")
        _need_keys(trajectory, {"records": list}, sd / "trajectory.json", "trajectory")
    return SeedFiles(record, sd, history, timings, trajectory)


def _check_top_metrics(path: Path) -> None:
    """A newer schema in the top-level ``metrics.json`` refuses the folder (it would be overwritten with an
    older one); a damaged or missing file is fine: it is derived, and rewritten by `write_report`."""
    if not path.is_file():
        return
    try:
        doc = read_json_file(path, "metrics")
    except RunFolderError:
        return
    if isinstance(doc.get("schema"), int):
        check_schema(doc, path)


def _check_belongs(record: SeedRecord, path: Path, man: dict, seed_of: dict) -> None:
    """A seed folder the manifest lists must hold a seed of this run: of the manifest's case, with the seed
    the manifest gives its index (a seed folder copied from another case's or configuration's run folder
    would mix two experiments in one report)."""
    if record.case is not None and record.case != man["case"]:
        raise RunFolderError(f"{path}: a seed of case {record.case!r} in the run folder of case {man['case']!r} "
                             "(copied from another run folder?)")
    expected = seed_of.get(record.seed_index)
    if expected is not None and record.seed != expected:
        raise RunFolderError(f"{path}: seed {record.seed}, but the manifest gives seed index {record.seed_index} "
                             f"the seed {expected} (a seed folder of another run of the case?)")


def load_run(folder: str | Path) -> LoadedRun:
    """Manifest, aggregated metrics and per-seed records/histories of a run folder: the finished seeds among
    those the manifest lists (``seed_indices``), each ``metrics.json`` read back into a `SeedRecord`. Every
    file read is checked; a damaged, truncated or incomplete one raises `CompareError` naming it.
    ``extra_seeds`` lists finished seed folders on disk that the manifest does not include (from an earlier
    run with more seeds)."""
    folder = Path(folder)
    if not (folder / "manifest.json").is_file():
        raise CompareError(f"{folder}: not a run folder (no manifest.json)")
    man = _read_manifest(folder)
    _check_top_metrics(folder / "metrics.json")
    order = man["config"]["synth"]["bases"]
    wanted = set(man["seed_indices"])
    seed_of = dict(zip(man["seed_indices"], man["seeds"])) if len(man["seeds"]) == len(man["seed_indices"]) else {}
    seeds, extra = [], []
    for sd in sorted((folder / "seeds").glob("*")) if (folder / "seeds").is_dir() else []:
        head = sd.name.split("-", 1)[0]
        if not sd.is_dir() or not (sd / "metrics.json").is_file() or not head.isdigit():
            continue
        if int(head) not in wanted:
            extra.append(sd.name)
            continue
        s = _read_seed(sd, order)
        if s.record.seed_index != int(head):
            raise RunFolderError(f"{sd / 'metrics.json'}: damaged seed metrics: seed_index {s.record.seed_index} "
                                 f"in the folder of seed {int(head)}")
        _check_belongs(s.record, sd / "metrics.json", man, seed_of)
        seeds.append(s)
    if not seeds:
        raise CompareError(f"{folder}: no finished seed (no seeds/*/metrics.json)")
    seeds.sort(key=lambda s: s.record.seed_index)
    return LoadedRun(folder, man, tuple(seeds), aggregate([s.record for s in seeds], order), tuple(extra))


# ----------------------------------------------------------------------------------------------- figures

def _plt() -> Any:
    return pyplot()


def _save(fig: Any, path: Path) -> str:
    return save_png(fig, path)


def _fig_training(run: LoadedRun, path: Path) -> str:
    plt = _plt()
    seeds = [s for s in run.seeds if s.history]
    fig, ax = plt.subplots(figsize=(6.4, 3.6))
    for i, s in enumerate(seeds):
        h = s.history
        ax.plot(h["epoch"], h["train_acc"], color=OKABE_ITO[0], alpha=0.8, lw=1.2,
                label="train" if i == 0 else None)
        ax.plot(h["epoch"], h["test_acc"], color=OKABE_ITO[3], alpha=0.8, lw=1.2, ls="--",
                label="held-out" if i == 0 else None)
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (fraction correct)")
    ax.set_ylim(-0.02, 1.02)
    te = [s.record.training.test_acc for s in seeds if s.record.training.test_acc is not None]
    fit = [s.record.training.fit_epoch for s in seeds if s.record.training.fit_epoch is not None]
    acc = ("n/a (nothing held out)" if not te else f"{min(te):.0%}" if min(te) == max(te)
           else f"{min(te):.0%}–{max(te):.0%}")
    title = (f"Fits its training set by epoch {max(fit)} in every seed; final held-out accuracy "
             f"{acc}" if len(fit) == len(seeds) and seeds else
             f"Training set fitted in {len(fit)} of {len(seeds)} seeds")
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, loc="lower right", title=f"{len(seeds)} seed(s), one line each")
    return _save(fig, path)


def _complexity_measure(series: dict) -> str | None:
    """The complexity series a trajectory figure and report show: the minimal size in the first basis when
    it is known at half the checkpoints or more (it is None where the function reads too many inputs), else
    the support size (Boolean) or the mean neuron purity (Z_p); failing those, whatever is known."""
    def known(name: str) -> int:
        return sum(v is not None for v in series.get(name, []))

    sizes = sorted(k for k in series if k.startswith("min_size_"))
    half = (len(series.get("epoch", [])) + 1) // 2
    for name in [k for k in sizes if known(k) >= half] + ["support_size", "neuron_purity"] + sizes:
        if known(name):
            return name
    return None


def _llc_peak_note(seeds: list) -> str | None:
    """How the LLC moved against generalisation, per seed: the epoch of its peak, how long before (or
    after) the generalisation epoch, and where it ended relative to the peak. None without LLC values."""
    parts = []
    for s in seeds:
        series = measures(s.trajectory["records"])
        pts = [(e, v) for e, v in zip(series["epoch"], series.get("llc", [])) if v is not None]
        gen = s.trajectory.get("generalise_epoch")
        if len(pts) < 2 or not gen:
            continue
        peak_e, peak_v = max(pts, key=lambda ev: ev[1])
        gap = gen - peak_e
        when = f"{gap} epochs before generalising" if gap > 0 else (
            "at generalisation" if gap == 0 else f"{-gap} epochs after generalising")
        end = pts[-1][1] / peak_v if peak_v > 0 else float("nan")
        parts.append((peak_e, when, end))
    if not parts:
        return None
    if len(parts) == 1:
        e, when, end = parts[0]
        return f"the LLC peaks at epoch {e} ({when}) and ends at {end:.0%} of its peak"
    before = sum(1 for e, when, _ in parts if "before" in when)
    ends = [end for _, _, end in parts]
    return (f"the LLC peaks before generalising in {before} of {len(parts)} seeds and ends at "
            f"{min(ends):.0%}–{max(ends):.0%} of its peak")


_MEASURE_LABELS = {"support_size": "inputs the function reads", "neuron_purity": "mean neuron purity",
                   "average_sensitivity": "average sensitivity", "llc": "LLC estimate"}


def _measure_label(name: str) -> str:
    if name.startswith("min_size_"):
        return f"minimal size in {name[len('min_size_'):]} (gates)"
    return _MEASURE_LABELS.get(name, name.replace("_", " "))


def _fig_trajectory(run: LoadedRun, path: Path) -> str | None:
    seeds = [s for s in run.seeds if s.trajectory]
    if not seeds:
        return None
    plt = _plt()
    fig, axes = plt.subplots(3, 1, figsize=(6.4, 7.2), sharex=True)
    comp_name = None
    for i, s in enumerate(seeds):
        recs = s.trajectory["records"]
        series = measures(recs)
        x = [max(e, 0.5) for e in series["epoch"]]        # epoch 0 drawn at 0.5 on the log axis
        axes[0].plot(x, series["train_accuracy"], color=OKABE_ITO[0], marker="o", ms=3, lw=1.2,
                     label="train" if i == 0 else None)
        axes[0].plot(x, series["heldout_accuracy"], color=OKABE_ITO[3], marker="o", ms=3, lw=1.2, ls="--",
                     label="held-out" if i == 0 else None)
        comp_name = comp_name or _complexity_measure(series)
        if comp_name:
            axes[1].plot(x, series[comp_name], color=OKABE_ITO[1], marker="o", ms=3, lw=1.2)
        if any(v is not None for v in series.get("llc", [])):
            axes[2].plot(x, series["llc"], color=OKABE_ITO[2], marker="o", ms=3, lw=1.2)
        t = s.trajectory
        for ax in axes:
            for e, style in ((t.get("fit_epoch"), ":"), (t.get("generalise_epoch"), "-.")):
                if e:
                    ax.axvline(e, color="0.5", ls=style, lw=0.8)
    axes[0].set_ylabel("accuracy")
    axes[0].legend(frameon=False, loc="center left", title=f"{len(seeds)} seed(s); dotted: fit,\ndash-dot: "
                   "generalisation", title_fontsize=8, fontsize=8)
    axes[1].set_ylabel(_measure_label(comp_name) if comp_name else "complexity")
    if comp_name and (comp_name.startswith("min_size_") or comp_name == "support_size"):
        from matplotlib.ticker import MaxNLocator      # matplotlib: loaded only when figures are drawn
        axes[1].yaxis.set_major_locator(MaxNLocator(integer=True))      # sizes and counts are integers
    axes[2].set_ylabel("LLC estimate")
    axes[2].set_xlabel("epoch (log scale; epoch 0 at 0.5)")
    axes[2].set_xscale("log")
    pairs = [(s.trajectory.get("fit_epoch"), s.trajectory.get("generalise_epoch")) for s in seeds]

    def span(vals: list) -> str:
        return f"{vals[0]:g}" if min(vals) == max(vals) else f"{min(vals):g}–{max(vals):g}"

    if all(f and g for f, g in pairs):
        fits, gens = [f for f, _ in pairs], [g for _, g in pairs]
        ratios = [round(g / f) for f, g in pairs]
        head = f"Fits by epoch {span(fits)}, generalises at {span(gens)} ({span(ratios)}x later)"
    else:
        head = "Accuracy, complexity and LLC over training"
    peak = _llc_peak_note(seeds)
    if peak:
        head += f";\n{peak}"
    axes[0].set_title(head, fontsize=9)
    return _save(fig, path)


def _ci_err(d: dict) -> tuple[float, float, float]:
    m = d["mean"]
    if m is None:
        return float("nan"), 0.0, 0.0
    lo = m if d["lo"] is None else d["lo"]
    hi = m if d["hi"] is None else d["hi"]
    return m, max(0.0, m - lo), max(0.0, hi - m)


_BASELINES = ("target", "nearest_neighbour", "min_degree", "majority")   # agreements that do not depend on the basis


def _seeds_note(n_seeds: int) -> str:
    """The subtitle of a bar chart: how many seeds, and what the error bars are (none for one seed)."""
    return "one seed (no interval)" if n_seeds == 1 else f"mean over {n_seeds} seeds, bars = 95% CI"


def _fig_agreement(run: LoadedRun, path: Path) -> str:
    plt = _plt()
    agg = run.aggregate
    bases = list(agg["bases"])
    n_seeds = agg["n_seeds"]
    with_ci = n_seeds > 1       # one seed: no interval to draw
    comps = [(k, lab) for k, lab in _COMPARATORS
             if any(agg["bases"][b][k]["mean"] is not None for b in bases)]
    # the shortest program and the posterior depend on the basis; the baselines do not: drawn once, in a
    # last group of their own
    per_basis = [(j, k, lab) for j, (k, lab) in enumerate(comps) if k not in _BASELINES]
    baselines = [(j, k, lab) for j, (k, lab) in enumerate(comps) if k in _BASELINES]
    groups = len(bases) + (1 if baselines and bases else 0)
    fig, ax = plt.subplots(figsize=(max(6.4, 1.0 + 1.6 * groups), 3.8))
    width = 0.8 / max(1, len(per_basis), len(baselines))
    x = np.arange(len(bases))
    for i, (j, k, lab) in enumerate(per_basis):
        vals = [_ci_err(agg["bases"][b][k]) for b in bases]
        ax.bar(x + (i - (len(per_basis) - 1) / 2) * width, [v[0] for v in vals], width * 0.92,
               yerr=np.array([[v[1] for v in vals], [v[2] for v in vals]]) if with_ci else None, capsize=2,
               color=OKABE_ITO[j % len(OKABE_ITO)], label=lab, error_kw={"lw": 0.8})
    for i, (j, k, lab) in enumerate(baselines if bases else ()):
        v = _ci_err(agg["bases"][bases[0]][k])
        ax.bar([len(bases) + (i - (len(baselines) - 1) / 2) * width], [v[0]], width * 0.92,
               yerr=np.array([[v[1]], [v[2]]]) if with_ci else None, capsize=2,
               color=OKABE_ITO[j % len(OKABE_ITO)], label=lab, error_kw={"lw": 0.8})
    chance = agg["bases"][bases[0]]["random_consistent"]["mean"] if bases else 0.5
    if chance is not None:
        ax.axhline(chance, color="0.3", ls=":", lw=1)
        ax.text(groups - 0.5, chance, " random consistent\n function", va="center", ha="left", fontsize=8,
                color="0.3")
    ax.set_xticks(np.arange(groups))
    ax.set_xticklabels([f"basis {b}" for b in bases] + (["baselines\n(any basis)"] if groups > len(bases) else []))
    ax.set_ylabel("agreement with the network\non held-out inputs (fraction)")
    ax.set_ylim(0, 1.08)
    ax.set_xlim(-0.6, groups - 0.4 + 0.6)
    found = [b for b in bases if agg["bases"][b]["shortest_best"]["mean"] is not None]
    b0 = found[0] if found else bases[0]
    sb = agg["bases"][b0]["shortest_best"]["mean"]
    nn = agg["bases"][b0]["nearest_neighbour"]["mean"]
    tg = agg["bases"][b0]["target"]["mean"]
    title = (f"Network agrees {sb:.0%} with the shortest {b0} program on held-out inputs" if sb is not None
             else f"Shortest size not proven within the budget; network agrees {tg:.0%} with the target"
             if tg is not None else "No held-out inputs (the whole domain is trained on): no agreement to show")
    if nn is not None:
        title += f" (nearest neighbour {nn:.0%})"
    ax.set_title(f"{title}\n{_seeds_note(n_seeds)}", fontsize=10)
    if ax.get_legend_handles_labels()[0]:          # nothing held out: no bars, no legend
        ax.legend(frameon=False, fontsize=8, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    return _save(fig, path)


def _fig_sizes(run: LoadedRun, path: Path) -> str:
    plt = _plt()
    agg = run.aggregate
    bases = list(agg["bases"])
    keys = [("shortest_size", "shortest consistent program"), ("net_min_size", "network's function (minimal)"),
            ("target_min_size", "target (minimal)"), ("circuit_size", "extracted circuit")]
    keys = [(k, lab) for k, lab in keys if any(agg["bases"][b][k]["mean"] is not None for b in bases)]
    fig, ax = plt.subplots(figsize=(max(6.4, 1.0 + 1.6 * len(bases)), 3.6))
    width = 0.8 / max(1, len(keys))
    x = np.arange(len(bases))
    for j, (k, lab) in enumerate(keys):
        vals = [_ci_err(agg["bases"][b][k]) for b in bases]
        ax.bar(x + (j - (len(keys) - 1) / 2) * width, [v[0] for v in vals], width * 0.92,
               yerr=np.array([[v[1] for v in vals], [v[2] for v in vals]]) if agg["n_seeds"] > 1 else None,
               capsize=2, color=OKABE_ITO[j], label=lab, error_kw={"lw": 0.8})
    lb = [(i, agg["bases"][b]["shortest_lower_bound"]["mean"]) for i, b in enumerate(bases)
          if agg["bases"][b]["shortest_size"]["mean"] is None and agg["bases"][b]["shortest_lower_bound"]["mean"]]
    if lb and keys:
        j0 = 0
        ax.bar([x[i] + (j0 - (len(keys) - 1) / 2) * width for i, _ in lb], [v for _, v in lb], width * 0.92,
               color="white", edgecolor=OKABE_ITO[0], hatch="//",
               label="proven lower bound (search budget ran out)")
    ax.set_xticks(x)
    ax.set_xticklabels([f"basis {b}" for b in bases])
    ax.set_ylabel("size (gate cost in the basis)")
    from matplotlib.ticker import MaxNLocator      # matplotlib: loaded only when figures are drawn
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))     # sizes are whole numbers
    same = sum(1 for b in bases if agg["bases"][b]["net_min_size"]["mean"] is not None
               and agg["bases"][b]["net_min_size"]["mean"] == agg["bases"][b]["shortest_size"]["mean"])
    title = (f"Network's function is as small as the shortest program in {same} of {len(bases)} bases"
             f"\n{_seeds_note(agg['n_seeds'])}")
    ax.set_title(title, fontsize=10)
    ax.legend(frameon=False, fontsize=8, ncol=2, loc="upper center", bbox_to_anchor=(0.5, -0.12))
    return _save(fig, path)


DOT_TIMEOUT_S = 10.0    # graphviz's dot gets this long per drawing; then the layered layout is used


def dot_layout(G: Any) -> dict | None:
    """Positions of the nodes of a DAG from graphviz's ``dot`` layout (inputs at the bottom, the output at
    the top, few crossings), or None when the ``dot`` program is not installed (apt package ``graphviz``)
    or fails."""
    exe = shutil.which("dot")
    if exe is None:
        return None
    ids = {v: f"n{i}" for i, v in enumerate(G.nodes)}
    inputs = sorted((v for v in G.nodes if G.nodes[v].get("op") == "input"),
                    key=lambda v: (G.nodes[v].get("index", 0), str(v)))
    lines = ["digraph G {", "rankdir=BT;", "node [shape=circle, width=0.5, fixedsize=true];"]
    lines += [f"{ids[v]};" for v in G.nodes]
    if inputs:      # the inputs on one rank, in index order
        lines.append("{rank=same; " + " ".join(f"{ids[v]};" for v in inputs) + "}")
        lines += [f"{ids[a]} -> {ids[b]} [style=invis];" for a, b in zip(inputs, inputs[1:])]
    lines += [f"{ids[a]} -> {ids[b]};" for a, b in G.edges]
    lines.append("}")
    try:
        done = subprocess.run([exe, "-Tplain"], input="\n".join(lines), capture_output=True, text=True,
                              timeout=DOT_TIMEOUT_S, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    back = {name: v for v, name in ids.items()}
    pos = {}
    for line in done.stdout.splitlines():
        f = line.split()
        if len(f) >= 4 and f[0] == "node" and f[1] in back:
            pos[back[f[1]]] = (float(f[2]), float(f[3]))
    return pos if len(pos) == G.number_of_nodes() else None


def layered_layout(G: Any) -> dict:
    """Positions of a DAG without graphviz: inputs at the bottom, each gate one level above its deepest
    argument (its depth); the inputs in index order, each gate above the mean position of its arguments (the
    order within a level follows, so edges cross less) with a gap of at least 1 between neighbours: a
    chain of gates leans towards its inputs instead of stacking in one column."""
    level: dict = {}
    for v in nx.topological_sort(G):
        preds = list(G.predecessors(v))
        level[v] = 0 if not preds else 1 + max(level[p] for p in preds)
    rows: dict[int, list] = {}
    for v, lv in level.items():
        rows.setdefault(lv, []).append(v)
    top = max(rows)
    for vs in rows.values():
        vs.sort(key=lambda v: (G.nodes[v].get("index", 0), str(v)))
    x = {v: float(i) for vs in rows.values() for i, v in enumerate(vs)}

    def spread(vs: list, want: dict) -> None:
        """x of the nodes of one level, in their order: as close to ``want`` as a gap of 1 allows."""
        vs.sort(key=lambda v: (want[v], x[v]))
        placed: list[float] = []
        for v in vs:
            placed.append(want[v] if not placed else max(want[v], placed[-1] + 1.0))
        shift = (sum(placed) - sum(want[v] for v in vs)) / len(vs)      # keep the level's mean where wanted
        for v, p in zip(vs, placed):
            x[v] = p - shift

    for lv in range(1, top + 1):     # level by level upwards: each gate above the mean of its arguments
        vs = rows[lv]
        spread(vs, {v: sum(x[u] for u in G.predecessors(v)) / G.in_degree(v) for v in vs})
    return {v: (x[v], float(level[v])) for v in G.nodes}


def draw_program(program: Any, ax: Any, title: str) -> None:
    """Draw a program's DAG (output's ancestors only) on a matplotlib axis: inputs boxes, gates circles; laid
    out by graphviz's dot when it is installed (`dot_layout`), else by depth (`layered_layout`)."""
    G = _graph(program)
    if G.number_of_nodes() == 0:
        ax.text(0.5, 0.5, str(program), ha="center", va="center")
        ax.set_axis_off()
        return
    pos = dot_layout(G) or layered_layout(G)
    sinks = [v for v in G.nodes if G.out_degree(v) == 0]
    inputs = [v for v in G.nodes if G.nodes[v].get("op") == "input"]
    gates = [v for v in G.nodes if v not in inputs]
    nx.draw_networkx_edges(G, pos, ax=ax, arrows=True, arrowsize=8, edge_color="0.45", width=0.8,
                           node_size=520)
    nx.draw_networkx_nodes(G, pos, nodelist=inputs, node_shape="s", node_color="#56B4E9", node_size=420, ax=ax)
    nx.draw_networkx_nodes(G, pos, nodelist=[g for g in gates if g not in sinks], node_color="#E69F00",
                           node_size=520, ax=ax)
    nx.draw_networkx_nodes(G, pos, nodelist=[g for g in gates if g in sinks], node_color="#D55E00",
                           node_size=620, ax=ax)
    labels = {v: (G.nodes[v].get("label") or G.nodes[v].get("op")) for v in G.nodes}
    nx.draw_networkx_labels(G, pos, labels=labels, font_size=7, ax=ax)
    ax.set_title(title, fontsize=9)
    ax.set_axis_off()


def _fig_circuits(run: LoadedRun, path: Path) -> str | None:
    plt = _plt()
    # the first seed with an extracted circuit (seed 0 when none has one)
    with_circ = [i for i, s in enumerate(run.seeds)
                 if any(not e.get("error") for e in s.record.extraction.values() if e)]
    si = with_circ[0] if with_circ else 0
    m0 = run.seeds[si].record
    n = m0.task["n_inputs"]
    if m0.task["domain"] != "bool":
        return None
    pairs = []
    for b, syn in m0.synthesis.items():
        ex = m0.extraction.get(b)
        if not syn["shortest"]:
            continue
        sp = synth.Program.parse(syn["shortest"][0], n, basis=b)
        ep = synth.Program.parse(ex["program"], n, basis=b) if ex and not ex.get("error") else None
        pairs.append((b, sp, ep, ex))
    if not pairs:
        return None
    fig, axes = plt.subplots(len(pairs), 2, figsize=(10, 3.1 * len(pairs)), squeeze=False)
    for (b, sp, ep, ex), row in zip(pairs, axes):
        exact = "" if m0.synthesis[b]["exact"] else ", not proven minimal"
        draw_program(sp, row[0], f"shortest consistent program, basis {b}: size {sp.size}{exact}")
        if ep is not None:
            draw_program(ep, row[1], f"extracted from the network (seed {si}), basis {b}: size {ep.size}, "
                                     f"fidelity {ex['fidelity']:.3f}")
        else:
            why = (ex or {}).get("error") or "(not extracted in this basis; see [extract] bases)"
            row[1].text(0.5, 0.5, "no circuit extracted:\n" + _wrap(why, 60), ha="center", va="center",
                        fontsize=8)
            row[1].set_axis_off()
    with_circuit = [p for p in pairs if p[2] is not None]
    pairs = with_circuit + [p for p in pairs if p[2] is None]
    comp = m0.comparisons[pairs[0][0]]
    iso = comp.structure.isomorphic if with_circuit else None
    b0 = pairs[0][0]
    head = (f"Extracted circuit is isomorphic to the shortest {b0} program" if iso else
            f"Extracted circuit computes the same function but differs in structure from the shortest {b0} "
            "program" if iso is not None and comp.function.shortest_best == 1.0 and
            m0.training.train_acc == 1.0 else
            f"Extracted circuit differs from the shortest {b0} program" if iso is not None else
            "Shortest consistent programs (no circuit extracted)")
    fig.suptitle(f"{head}\n(seed {si} of {len(run.seeds)}"
                 + (", the first with an extracted circuit" if si else "")
                 + "; blue square = input, orange = gate or constant, red = output)", fontsize=10)
    fig.tight_layout()
    return _save(fig, path)


def _fig_fourier(run: LoadedRun, path: Path) -> str | None:
    plt = _plt()
    fr = [s.record.fourier for s in run.seeds if s.record.fourier]
    if not fr:
        return None
    P = np.array([f["power"][1:] for f in fr])
    k = np.arange(1, P.shape[1] + 1)
    fig, ax = plt.subplots(figsize=(6.4, 3.4))
    for i, row in enumerate(P):
        ax.plot(k, row, color=OKABE_ITO[i % len(OKABE_ITO)], lw=1, marker="o", ms=2.5, label=f"seed {i}")
    nk = [len(f["key_frequencies"]) for f in fr]
    frac = [f["key_fraction"] for f in fr]
    ax.set_xlabel("frequency k (cycles over Z_p)")
    ax.set_ylabel("share of non-constant\nFourier power of input weights")
    ax.set_title(f"Network uses {min(nk)}–{max(nk)} key frequencies holding {min(frac):.0%}–{max(frac):.0%} "
                 f"of the power ({len(fr)} seed(s))", fontsize=10)
    ax.legend(frameon=False, fontsize=8, ncol=min(5, len(fr)))
    return _save(fig, path)


def _wrap(s: str, w: int) -> str:
    return "\n".join(textwrap.wrap(s, w))


# ----------------------------------------------------------------------------------------------- markdown

def _f(x: Any, pct: bool = False, nd: int = 2) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if isinstance(x, bool):
        return "yes" if x else "no"
    if pct:
        return f"{100 * x:.1f}%"
    if isinstance(x, float):
        return str(int(x)) if x.is_integer() and not pct and nd == 2 and abs(x) > 1.5 else f"{x:.{nd}f}"
    return str(x)


def _ci(d: dict, pct: bool = False) -> str:
    if d["mean"] is None:
        return "–"
    if d["lo"] is None:
        return _f(d["mean"], pct)
    if pct:
        return f"{100 * d['mean']:.1f}% [{100 * d['lo']:.1f}, {100 * d['hi']:.1f}]"
    if d["lo"] == d["hi"] == d["mean"] and float(d["mean"]).is_integer():
        return str(int(d["mean"]))
    return f"{d['mean']:.2f} [{d['lo']:.2f}, {d['hi']:.2f}]"


def render_markdown(run: LoadedRun, figures: dict[str, str | None]) -> str:
    """The text of report.md for a loaded run (see `load_run`) and its figure file names."""
    man, agg = run.manifest, run.aggregate
    seeds = [s.record for s in run.seeds]
    cfg = man["config"]
    t0 = seeds[0].task
    L: list[str] = []
    L.append(f"# {man['title']}")
    L.append("")
    L.append(f"Case `{man['case']}` · config hash `{man['hash']}` · {agg['n_seeds']} seed(s) finished of "
             f"{man['n_seeds']} requested · source `{man['source']}`")
    L.append("")
    extra = run.extra_seeds
    if extra:
        L += [f"Not included: {len(extra)} finished seed folder(s) from an earlier run with more "
              f"seeds ({', '.join(extra[:5])}{', ...' if len(extra) > 5 else ''}); "
              "run again with more seeds to include them.", ""]
    if cfg["case"]["claim"]:
        L += ["## Claim", "", cfg["case"]["claim"].strip(), ""]
    if cfg["case"]["expect"]:
        L += ["**What to expect.** " + cfg["case"]["expect"].strip(), ""]
    L += ["## Verdict", ""]
    fired = [(m.seed_index, m.valve_fired) for m in seeds if m.valve_fired]
    if fired:
        where = "; ".join(f"seed {i}: {', '.join(w)}" for i, w in fired)
        L += [f"**Warning: a wall-clock safety valve fired** ({where}). Those numbers depend on the machine's "
              "speed and load, not on the seed alone; raise or drop the `budget_s` keys to make them "
              "deterministic.", ""]
    L += [f"- {_summary_sentence(b, row, agg['n_seeds'])}" for b, row in agg["bases"].items()]
    if agg.get("fourier"):
        fa = agg["fourier"]
        L.append(f"- Fourier (Z_p): key frequencies per seed {fa['key_frequencies']}; they hold "
                 f"{_ci(fa['key_fraction'], True)} of the input-weight power; accuracy restricted to them "
                 f"{_ci(fa['restricted_accuracy'], True)}, with them removed {_ci(fa['excluded_accuracy'], True)}.")
    L.append("")
    L.append("Seed 0, in the comparator's own words:")
    L.append("")
    for b, c in seeds[0].comparisons.items():
        L.append(f"> {c.verdict}")
        L.append(">")
    if L[-1] == ">":
        L.pop()
    L.append("")
    L += ["## Setup", ""]
    tr = cfg["train"]
    net = cfg["net"]
    L.append(f"- **Task**: `{t0['name']}` ({'Z_' + str(t0['p']) if t0['domain'] == 'zp' else str(t0['n_inputs']) + ' Boolean inputs'}); "
             f"{t0['n_train']} training points, {t0['n_test']} held-out ({t0['test_note']}); split "
             f"{'drawn per seed' if cfg['task']['split'] == 'per_seed' else 'fixed across seeds'}; target program "
             f"`{t0['program'] or 'none given'}`.")
    L.append(f"- **Network**: {net['kind']} widths {net['widths']}, activation "
             f"{net['activation'] or ('quadratic' if net['kind'] == 'zp_mlp' else 'relu')}, σ_w = {net['sigma_w']}.")
    L.append(f"- **Training**: {tr['optimizer']}, lr {tr['lr']}, loss {tr['loss']}, weight decay "
             f"{tr['weight_decay']}, batch {tr['batch_size'] or 'full'}, ≤ {tr['epochs']} epochs, cleanup "
             f"{tr['cleanup_epochs']} epochs after fitting.")
    L.append(f"- **Extraction**: `{cfg['extract']['method']}` (per-neuron synthesis budget "
             f"{_budget(cfg['extract'], 'budget')}).")
    L.append(f"- **Synthesis**: bases {', '.join(cfg['synth']['bases'])}; mode {cfg['synth']['mode']}; "
             f"{_budget(cfg['synth'], 'budget')} per basis (an exhausted budget gives proven bounds and a "
             f"consistent program, marked); {_budget(cfg['synth'], 'function_budget')} for the minimal program "
             "of the network's function and of the target. Work budgets give the same numbers on any machine.")
    L.append(f"- **Seeds**: {man['seed_derivation']} → {man['seeds'][:agg['n_seeds']]}.")
    L.append("")
    L += ["## Aggregated over seeds", "",
          "Mean with 95 % Student-t interval over seeds. Agreement is with the network's labels on the "
          "held-out inputs.", ""]
    bases = list(agg["bases"])
    L.append("| quantity | " + " | ".join(f"basis {b}" for b in bases) + " |")
    L.append("|---|" + "---|" * len(bases))
    rows = [("network implements the shortest program (seeds)", None),
            ("agreement with shortest program", ("shortest_best", True)),
            ("agreement with length-prior posterior (MAP)", ("posterior_map", True)),
            ("agreement with target", ("target", True)),
            ("baseline: random consistent function", ("random_consistent", True)),
            ("baseline: nearest neighbour", ("nearest_neighbour", True)),
            ("baseline: minimum-degree interpolator", ("min_degree", True)),
            ("baseline: majority label", ("majority", True)),
            ("size of shortest consistent program", ("shortest_size", False)),
            ("proven lower bound on the shortest size", ("shortest_lower_bound", False)),
            ("smallest known consistent program (upper bound)", ("shortest_upper_bound", False)),
            ("shortest size proven minimal (seeds)", "exact"),
            ("minimal size of network's function", ("net_min_size", False)),
            ("minimal size of target", ("target_min_size", False)),
            ("rank of network's function among consistent functions", ("rank", False)),
            ("extracted circuit size", ("circuit_size", False)),
            ("extracted circuit fidelity", ("circuit_fidelity", False)),
            ("support Jaccard (network's function vs shortest)", ("support_jaccard", False)),
            ("shared intermediate functions", ("shared_intermediate", False)),
            ("graph edit distance (exact up to 14 nodes, else an upper bound)", ("graph_edit_distance", False)),
            ("extracted circuit isomorphic to shortest (seeds)", "iso")]
    for label, spec in rows:
        cells = []
        for b in bases:
            r = agg["bases"][b]
            if spec is None:
                im = r["implements_shortest"]
                und = f" ({im['undetermined']} undetermined)" if im.get("undetermined") else ""
                cells.append(f"{im['count']} / {im['n']}{und}")
            elif spec == "exact":
                cells.append(f"{r['synthesis_exact']['count']} / {r['synthesis_exact']['n']}")
            elif spec == "iso":
                cells.append(f"{r['isomorphic']['count']} / {r['isomorphic']['n']}" if r["isomorphic"]["n"] else "–")
            else:
                cells.append(_ci(r[spec[0]], spec[1]))
        L.append(f"| {label} | " + " | ".join(cells) + " |")
    L.append("")
    ta = agg["training"]
    L.append(f"Training: train accuracy {_ci(ta['train_acc'], True)}, held-out accuracy "
             f"{_ci(ta['test_acc'], True)}, fitted at epoch {_ci(ta['fit_epoch'])}.")
    L.append("")
    L += ["## Per seed", ""]
    L.append("| seed | basis | held-out acc | implements shortest | agree shortest | agree target | "
             "net fn size | shortest size | circuit size | fidelity | isomorphic |")
    L.append("|---|---|---|---|---|---|---|---|---|---|---|")
    for m in seeds:
        for b, c in m.comparisons.items():
            k, s, f = c.complexity, c.structure, c.function
            ss = (f"{k.shortest_size}" if k.shortest_exact else
                  f"{k.shortest_size} (≥ {k.shortest_lower_bound})" if k.shortest_size is not None else
                  (f"{k.shortest_lower_bound}–{k.shortest_upper_bound} (bounds)"
                   if k.shortest_upper_bound is not None else f"≥ {k.shortest_lower_bound} (bound)"))
            L.append(f"| {m.seed_index} ({m.seed}) | {b} | {_f(m.training.test_acc, True)} | "
                     f"{_f(c.implements_shortest)} | {_f(f.shortest_best, True)} | {_f(f.target, True)} | "
                     f"{_f(k.net_min_size)} | {ss} | {_f(k.circuit_size)} | {_f(k.circuit_fidelity)} | "
                     f"{_f(s.isomorphic)} |")
    L.append("")
    L += ["## Programs (seed 0)", ""]
    m0 = seeds[0]
    for b, syn in m0.synthesis.items():
        c = m0.comparisons[b]
        L.append(f"- basis **{b}**: shortest `{(syn['shortest'] or ['none'])[0]}` (size {syn['min_size']}"
                 f"{'' if syn['exact'] else ', upper bound; proven lower bound ' + str(syn['lower_bound'])}); "
                 f"network's function `{c.complexity.net_min_program}`")
        ex = m0.extraction.get(b)
        if ex:
            L.append("  - extracted: " + (f"`{ex['program']}` ({ex['n_neurons']} neurons, {ex['n_edges']} edges)"
                                           if not ex.get("error") else f"failed — {ex['error']}"))
    L.append("")
    L += _trajectory_lines(run.seeds)
    L += ["## Figures", ""]
    captions = {"training": "Training curves (accuracy per epoch; one line per seed).",
                "agreement": "Agreement of the network with each comparator on held-out inputs, vs baselines.",
                "sizes": "Sizes: shortest consistent program, network's function, target, extracted circuit.",
                "circuits": "Synthesized (left) and extracted (right) circuits of one seed (named in the figure).",
                "fourier": "Fourier power of the input weights per frequency.",
                "trajectory": "The program over training: accuracies, a complexity measure and the LLC at each "
                              "checkpoint (one line per seed), fit and generalisation epochs marked."}
    for key, name in figures.items():
        if name:
            L.append(f"![{captions[key]}](figures/{name})")
            L.append("")
            L.append(f"*{captions[key]}*")
            L.append("")
    notes = []
    for m in seeds:
        for b, syn in m.synthesis.items():
            for n_ in syn["notes"]:
                notes.append(f"seed {m.seed_index}, {b}: {n_}")
        for b, c in m.comparisons.items():
            for n_ in c.notes:
                notes.append(f"seed {m.seed_index}, {b}: {n_}")
        for b, ex in m.extraction.items():
            if ex.get("error"):
                notes.append(f"seed {m.seed_index}, {b}: extraction failed: {ex['error']}")
    if notes:
        L += ["## Notes", ""] + [f"- {n_}" for n_ in dict.fromkeys(notes)] + [""]
    secs = [s.timings.get("total") for s in run.seeds if s.timings.get("total") is not None]
    L.append(f"Files: `manifest.json` (config, seeds, versions, git commit {man.get('git_commit')}), "
             f"`metrics.json`, `seeds/*/` (per-seed metrics, history, circuits). Seconds per seed: "
             f"{', '.join(f'{s:.1f}' for s in secs) or '–'}.")
    L.append("")
    return "\n".join(L)


def _trajectory_lines(seeds: Sequence[SeedFiles]) -> list[str]:
    """The report's section on the program over training: per seed, when each measure made half its move
    relative to the generalisation epoch, and what that says about the essay's prediction."""
    withs = [s for s in seeds if s.record.trajectory]
    if not withs:
        return []
    L = ["## The program over training", "",
         "Each measure's *move epoch* is the first checkpoint by which it made half of its change from the "
         "first checkpoint to the last; *lead* = generalisation epoch − move epoch (positive: it moved first). "
         "Resolution: the checkpoints (log-spaced).", ""]
    L.append("| seed | fit epoch | generalisation epoch | measure | first → last | move epoch | lead |")
    L.append("|---|---|---|---|---|---|---|")
    leads: dict[str, list[int]] = {}
    llc_fell = []
    for s in withs:
        ll = s.record.trajectory["lead_lag"]
        for name, d in ll.items():
            if name in ("train_accuracy", "heldout_accuracy"):
                continue
            if d["lead"] is not None:
                leads.setdefault(name, []).append(d["lead"])
            L.append(f"| {s.record.seed_index} | {d['fit_epoch']} | {d['generalise_epoch']} | {_measure_label(name)} | "
                     f"{_f(d['first'])} → {_f(d['last'])} | {d['move_epoch']} | {d['lead']} |")
        recs = s.trajectory["records"] if s.trajectory else []
        gen = ll.get("llc", {}).get("generalise_epoch")
        llcs = [(r["epoch"], r["llc"]) for r in recs if r.get("llc") is not None]
        if gen is not None and llcs:
            peak_before = max((v for e, v in llcs if e <= gen), default=None)
            after = [v for e, v in llcs if e > gen]
            if peak_before is not None and after:
                llc_fell.append(after[-1] < peak_before)
    L.append("")
    for name, vals in sorted(leads.items()):
        L.append(f"- {_measure_label(name)}: lead {min(vals)} to {max(vals)} epochs over {len(vals)} seed(s) "
                 f"(median {int(np.median(vals))}).")
    peak = _llc_peak_note([s for s in withs if s.trajectory])
    if peak:
        L.append(f"- Peak: {peak} (a move from the first to the last checkpoint hides a rise and fall).")
    if llc_fell:
        n_f = sum(llc_fell)
        L.append(f"- The essay predicts the effective complexity falls once the algorithm assembles (the LLC "
                 f"rises during memorisation and falls after generalisation): the last LLC is below its "
                 f"pre-generalisation peak in {n_f} of {len(llc_fell)} seeds"
                 + ("." if n_f == len(llc_fell) else " — where it is not, the data do not show the predicted fall."))
    L.append("")
    return L


def _budget(section: dict, key: str) -> str:
    """A budget of a config section for the report: work units and the optional valve (``key`` and
    ``key_s``); a run folder from before work budgets has seconds only."""
    units, secs = section.get(key), section.get(f"{key}_s")
    if key not in section:
        return f"{secs:g} s (wall clock)"
    valve = "" if secs is None else f", wall-clock valve {secs:g} s"
    per = section.get(f"basis_{key}") or {}
    own = "".join(f", {b}: {w:.3g}" for b, w in per.items())
    return f"{units:.3g} work units{own}{valve}"


def _summary_sentence(b: str, r: dict, n: int) -> str:
    imp = r["implements_shortest"]
    sb = r["shortest_best"]
    und = f", undetermined in {imp['undetermined']}" if imp.get("undetermined") else ""
    if sb["mean"] is None:
        return (f"**basis {b}**: the search did not prove the shortest size within its work budget; the "
                f"shortest consistent size is at least {_ci(r['shortest_lower_bound'])}"
                + (f" and at most {_ci(r['shortest_upper_bound'])}" if r["shortest_upper_bound"]["mean"] is not None
                   else "") + f"; the network's function has minimal size "
                f"{_ci(r['net_min_size'])} (target {_ci(r['target_min_size'])}); it computes a shortest "
                f"consistent function in {imp['count']} of {imp['n']} seeds{und}.")
    txt = (f"**basis {b}**: the network implemented the shortest consistent program in {imp['count']} of "
           f"{imp['n']} seeds{und} (held-out agreement {_ci(sb, True)}, vs "
           f"{_f(r['random_consistent']['mean'], True)} for a random consistent function")
    if r["nearest_neighbour"]["mean"] is not None:
        txt += f", {_f(r['nearest_neighbour']['mean'], True)} for nearest neighbour"
    txt += ")"
    if r["net_min_size"]["mean"] is not None:
        txt += (f"; its function's minimal size {_ci(r['net_min_size'])} vs shortest {_ci(r['shortest_size'])}")
    if r["synthesis_exact"]["count"] < r["synthesis_exact"]["n"]:
        txt += f" (shortest size an upper bound in {r['synthesis_exact']['n'] - r['synthesis_exact']['count']} seeds)"
    if r["circuit_size"]["mean"] is not None:
        txt += (f"; extracted circuits of size {_ci(r['circuit_size'])}, isomorphic to it in "
                f"{r['isomorphic']['count']} of {r['isomorphic']['n']}")
    return txt + "."


def write_report(folder: str | Path, *, lock: bool = True) -> Path:
    """(Re-)render figures/, report.md and the top-level metrics.json of a run folder from its files (so
    the three describe the seeds the manifest lists); returns the report's path. ``lock`` holds the
    folder's ``.finalize.claim`` meanwhile (`run_case` already holds it). Temporary files that a killed
    writer left in the folder are removed (`remove_stale_temps`)."""
    folder = Path(folder)
    if lock and (folder / "manifest.json").is_file():
        with claim(folder / ".finalize.claim", timeout_s=600):
            return write_report(folder, lock=False)
    run = load_run(folder)
    remove_stale_temps(folder)
    man = run.manifest
    atomic_write_json(folder / "metrics.json", case_metrics(man["case"], man["hash"], man["n_seeds"],
                                                            [s.record for s in run.seeds],
                                                            man["config"]["synth"]["bases"]))
    fdir = folder / "figures"
    figures: dict[str, str | None] = {
        "training": _fig_training(run, fdir / "training.png"),
        "agreement": _fig_agreement(run, fdir / "agreement.png"),
        "sizes": _fig_sizes(run, fdir / "sizes.png"),
        "circuits": _fig_circuits(run, fdir / "circuits.png"),
        "fourier": _fig_fourier(run, fdir / "fourier.png"),
        "trajectory": _fig_trajectory(run, fdir / "trajectory.png"),
    }
    # seed 0's circuits, copied to the top-level circuits/ folder
    src = run.seeds[0].folder / "circuits"
    if src.is_dir():
        for f in sorted(src.iterdir()):
            atomic_write_bytes(folder / "circuits" / f.name, f.read_bytes())
    path = folder / "report.md"
    atomic_write_text(path, render_markdown(run, figures))
    return path
