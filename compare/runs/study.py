"""Run a case study: `run_case(path)` -> ``runs/<case>/<config-hash>/`` with per-seed results and a report.

Layout of a run folder::

    runs/<case>/<hash>/
      manifest.json            case, full config, seeds, argv, versions, git commit
      metrics.json             aggregated over seeds (means and 95 % intervals) + one summary row per seed
      report.md                claim, setup, tables per seed and aggregated, verdict (see `compare.runs.report`)
      figures/*.png            training curves, agreement vs baselines, sizes, circuits side by side
      circuits/                seed 0's synthesized and extracted circuits (text, DOT, SVG when `dot` exists)
      seeds/<i>-<seed>/        metrics.json (deterministic; `compare.runs.metrics.SeedRecord`), timings.json,
                               history.json, circuits/

Concurrent runs of one case into one folder share the work: each seed is claimed (``seeds/<i>-<seed>.claim``,
created with ``O_EXCL``; a dead owner's claim is broken) before it is computed, a run waits for the seeds
another live run holds, and the manifest, metrics and report are written together under ``.finalize.claim``.
They describe exactly the seeds the manifest lists (``seed_indices``); other finished seed folders stay on
disk and are named in the report.

A seed whose ``metrics.json`` exists is finished and never redone, so an interrupted run resumes where
it stopped, and asking for more seeds adds only the new ones (the hash ignores the number of seeds).
Per-seed integer seeds come from ``numpy.random.SeedSequence(run.seed).spawn(n)``. Budgets count work, so
the same seed gives a byte-identical per-seed ``metrics.json`` on any machine under any load: it holds no
wall-clock figure (timings live in ``timings.json``). The one exception is an optional wall-clock valve
(``budget_s`` keys) that fires: per-seed ``valve_fired`` then names where (``synthesis.<basis>``,
``extraction.<basis>``, ``match.<basis>``) and the report says the numbers depend on machine speed.

``manifest.json`` and every ``metrics.json`` carry ``"schema": compare.output.runfolder.RUN_SCHEMA``; the
report refuses a folder of a newer schema and reads a file without the key (written before it) as schema 1.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import torch

import synth

from ..analysis.fourier import fourier_report
from ..analysis.function import memo_synthesize, net_function
from ..analysis.matching import Comparison, match
from ..analysis.stats import mean_ci
from ..analysis.trajectory import TrajectoryConfig, lead_lag, trajectory
from ..errors import CompareError
from ..extraction import extract
from ..networks.training import predict, train
from ..output.runfolder import (RUN_SCHEMA, RunFolderError, atomic_write_bytes, atomic_write_json, atomic_write_text,
                                check_out, claim, git_commit, read_json, read_json_file, versions)
from .cases import Case, load_case
from .metrics import AGG_METRICS, SeedRecord, TrainingSummary, aggregate, case_metrics, read_seed_record, seed_row
from .report import write_report

__all__ = ["RunResult", "run_case", "run_seed", "ensure_seed", "aggregate", "case_metrics", "run_folder", "seed_dir",
           "seed_row", "mean_ci", "AGG_METRICS"]


@dataclass(frozen=True)
class RunResult:
    """What `run_case` returns: the run folder, the aggregated metrics and which seeds were (re)computed."""

    folder: Path
    metrics: dict
    computed: tuple[int, ...]
    skipped: tuple[int, ...]
    seconds: float

    @property
    def report(self) -> Path:
        """Path of ``report.md``."""
        return self.folder / "report.md"


_FOLDER_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def run_folder(case: Case, out: str | Path = "runs") -> Path:
    """``<out>/<case name>/<config hash>``; the name (``[case] name``, overrides included) must be one plain
    folder name, so the run folder is always inside ``out``."""
    name = case.config["case"]["name"]
    if not isinstance(name, str) or not _FOLDER_NAME.fullmatch(name):
        raise CompareError(f"case name {name!r}: a run folder name must be letters, digits, '_', '-' or '.', "
                           "not starting with '.' (it becomes <out>/<name>/)")
    base = check_out(out)
    folder = base / name / case.hash()
    if base.resolve() not in folder.resolve().parents:
        raise CompareError(f"case name {name!r}: the run folder {folder} would be outside --out {str(out)!r}")
    return folder


# ----------------------------------------------------------------------------------------------- one seed

def _dot_svg(dot_text: str, path: Path) -> bool:
    """Render DOT to SVG with graphviz's ``dot`` when it is installed; False otherwise."""
    exe = shutil.which("dot")
    if not exe:
        return False
    try:
        res = subprocess.run([exe, "-Tsvg"], input=dot_text, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    if res.returncode != 0:
        return False
    atomic_write_text(path, res.stdout)
    return True


def _write_program(folder: Path, stem: str, program: Any, title: str) -> dict[str, str]:
    files = {"text": f"{stem}.txt", "dot": f"{stem}.dot"}
    atomic_write_text(folder / files["text"], f"{program}\n")
    dot = program.to_dot(name=stem)
    atomic_write_text(folder / files["dot"], dot)
    if _dot_svg(dot, folder / f"{stem}.svg"):
        files["svg"] = f"{stem}.svg"
    return files


def _synthesis_record(res: Any) -> dict[str, Any]:
    d = res.as_dict()
    stats = d.pop("stats", None) or {}      # seconds and memory: not deterministic; kept in timings.json
    d["budget"] = stats.get("budget")       # work used and the limit that fired: deterministic
    d["consistent"] = d["consistent"][:20]
    return d


def run_seed(case: Case, index: int, seed: int, folder: Path, *, cache: bool | Path = True,
             progress: Callable[[str], None] | None = None, memo: dict | None = None) -> SeedRecord:
    """Run one seed of a case into ``folder`` (train, synthesise, extract, match); returns its record (the
    seed folder's ``metrics.json``). ``memo``: a dict kept across the seeds of a run, so that equal
    searches (one spec for every seed of a fixed split; networks with one function) run once
    (`compare.analysis.function.memo_synthesize`: the records are the same with or without it)."""


    say = progress or (lambda s: None)
    cfg = case.config
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    split_seed = seed if cfg["task"]["split"] == "per_seed" else cfg["run"]["seed"]
    task = case.make_task(split_seed)
    model = case.make_model(task, seed)
    say(f"seed {index} ({seed}): training {task.name} ...")
    net = train(task, model, case.train_config(), seed=seed, cache=cache)
    timings["train"] = round(net.seconds if not net.cached else 0.0, 3)
    atomic_write_json(folder / "history.json", net.history)
    t = time.perf_counter()
    if task.domain == "bool":
        labels = net_function(net, synthesize=False).labels.astype(np.int64)
    else:
        labels = predict(net.model, task).astype(np.int64)
    timings["labels"] = round(time.perf_counter() - t, 3)
    traj = None
    if net.checkpoints:
        say(f"seed {index}: probes and LLC at {len(net.checkpoints)} checkpoints ...")
        t = time.perf_counter()
        traj = _trajectory(net, folder, seed)
        timings["trajectory"] = round(time.perf_counter() - t, 3)
    training = TrainingSummary(train_acc=net.train_acc, test_acc=net.test_acc, fit_epoch=net.fit_epoch,
                               generalise_epoch=net.generalise_epoch, epochs=net.history["epoch"][-1],
                               final_train_loss=net.history["train_loss"][-1])
    synthesis: dict[str, dict] = {}
    extraction: dict[str, dict] = {}
    comparisons: dict[str, Comparison] = {}
    circuits: dict[str, dict] = {}
    valve_fired: list[str] = []      # where a wall-clock valve fired (then the record depends on machine speed)
    traj_summary = None
    if traj is not None:
        traj_summary = {"checkpoints": [r["epoch"] for r in traj],
                        "lead_lag": lead_lag(traj, net.fit_epoch, net.generalise_epoch)}
    fourier = None
    if task.domain == "zp" and cfg["extract"]["method"] == "fourier":
        t = time.perf_counter()
        fr = fourier_report(net)
        fourier = {**fr.summary(), "power": [round(x, 6) for x in fr.power]}
        timings["fourier"] = round(time.perf_counter() - t, 3)
    cdir = folder / "circuits"
    spec = task.train_spec()
    s = cfg["synth"]
    match_cache: dict = {}
    known: list = []        # bounds proven in the bases synthesised before carry to the next (synth.KnownBounds)
    for b in s["bases"]:
        say(f"seed {index}: synthesising in basis {b} ...")
        t = time.perf_counter()
        res = memo_synthesize(memo, spec, basis=b, mode=s["mode"], budget=s["basis_budget"].get(b, s["budget"]),
                              budget_s=s["budget_s"], top_k=s["top_k"], slack=s["slack"],
                              **({"known": tuple(known)} if known and task.domain == "bool" else {}))
        known.append(synth.KnownBounds.of(res))
        timings[f"synth_{b}"] = round(time.perf_counter() - t, 3)
        synthesis[b] = _synthesis_record(res)
        files = {}
        if res.shortest:
            files["shortest"] = _write_program(cdir, f"shortest_{b}", res.shortest[0], "shortest")
        circuit = None
        ex_bases = cfg["extract"]["bases"] if cfg["extract"]["bases"] is not None else s["bases"]
        if task.domain == "bool" and cfg["extract"]["method"] != "none" and b in ex_bases:
            say(f"seed {index}: extracting a circuit in basis {b} ...")
            t = time.perf_counter()
            try:
                circuit = extract(net, method=cfg["extract"]["method"], basis=b, budget=cfg["extract"]["budget"],
                                  budget_s=cfg["extract"]["budget_s"], max_points=cfg["extract"]["max_points"],
                                  seed=seed)
                summ = circuit.summary()
                summ.pop("seconds", None)
                extraction[b] = {**summ, "error": None}
                files["extracted"] = _write_program(cdir, f"extracted_{b}", circuit.program, "extracted")
            except CompareError as exc:
                extraction[b] = {"error": str(exc)}
            timings[f"extract_{b}"] = round(time.perf_counter() - t, 3)
        t = time.perf_counter()
        comp = match(net, res, task, circuit=circuit, labels=labels, ged_timeout=cfg["run"]["ged_timeout"],
                     budget=s["basis_function_budget"].get(b, s["function_budget"]), budget_s=s["function_budget_s"],
                     cache=match_cache, memo=memo)
        timings[f"match_{b}"] = round(time.perf_counter() - t, 3)
        comparisons[b] = comp
        circuits[b] = files
        if not res.deterministic:
            valve_fired.append(f"synthesis.{b}")
        if circuit is not None and not circuit.deterministic:
            valve_fired.append(f"extraction.{b}")
        if comp.complexity.valve_fired:
            valve_fired.append(f"match.{b}")
    record = SeedRecord(case=case.name, seed_index=index, seed=seed, split_seed=split_seed, task=task.to_dict(),
                        training=training, synthesis=synthesis, extraction=extraction, comparisons=comparisons,
                        circuits=circuits, valve_fired=tuple(valve_fired), trajectory=traj_summary,
                        fourier=fourier, schema=RUN_SCHEMA)
    timings["total"] = round(time.perf_counter() - t0, 3)
    atomic_write_json(folder / "timings.json", timings)
    atomic_write_json(folder / "metrics.json", record.as_dict())   # written last: its presence marks the seed done
    return record


def _trajectory(net: Any, folder: Path, seed: int) -> list[dict[str, Any]]:
    """Save the checkpoints (``checkpoints/epoch_<e>.pt``, loadable with ``weights_only=True``) and measure
    them into ``trajectory.json``, record by record; records already there are not recomputed."""
    ckdir = folder / "checkpoints"
    for epoch, state in net.checkpoints.items():
        path = ckdir / f"epoch_{epoch:07d}.pt"
        if not path.exists():
            buf = io.BytesIO()
            torch.save(state, buf)
            atomic_write_bytes(path, buf.getvalue())
    path = folder / "trajectory.json"
    done = {}
    if path.is_file():
        try:
            done = {int(r["epoch"]): r for r in read_json(path)["records"]}
        except (CompareError, KeyError, TypeError, ValueError):
            done = {}            # damaged: measured again
    head = {"fit_epoch": net.fit_epoch, "generalise_epoch": net.generalise_epoch}
    return trajectory(net, TrajectoryConfig(seed=seed), done=done,
                      on_record=lambda recs: atomic_write_json(path, {**head, "records": recs}))


# ----------------------------------------------------------------------------------------------- a case

def seed_dir(folder: Path, index: int, seed: int) -> Path:
    """The seed folder ``<folder>/seeds/<index>-<seed>`` (index zero-padded to 3 digits)."""
    return folder / "seeds" / f"{index:03d}-{seed}"


def _finished(sd: Path) -> SeedRecord | None:
    """The seed's record when ``metrics.json`` is complete; None when absent or truncated (then redone). A
    complete file that is not a per-seed record of this version raises `RunFolderError` naming it."""
    try:
        m = read_json_file(sd / "metrics.json", "seed metrics")
    except RunFolderError:
        return None
    return read_seed_record(sd / "metrics.json") if "seed_index" in m and "comparisons" in m else None


def ensure_seed(case: Case, index: int, seed: int, folder: Path, *, cache: bool | Path = True,
                progress: Callable[[str], None] | None = None, wait: bool = True,
                memo: dict | None = None) -> tuple[SeedRecord | None, bool]:
    """The record of one seed, computing it when no run has: ``(record, computed)`` (the record as read
    back from its ``metrics.json``). The seed is claimed
    first (``<seed folder>.claim``), so two concurrent runs never compute it twice; with ``wait`` a seed
    held by another live run is waited for, else ``(None, False)`` comes back at once."""
    say = progress or (lambda s: None)
    done = _finished(folder)
    if done is not None:
        return done, False
    lock = folder.with_name(folder.name + ".claim")
    told = False
    while True:
        with claim(lock, wait=False) as mine:
            if mine:
                done = _finished(folder)
                if done is not None:          # finished by another run between the check and the claim
                    return done, False
                run_seed(case, index, seed, folder, cache=cache, progress=progress, memo=memo)
                return read_seed_record(folder / "metrics.json"), True
        if not wait:
            return None, False
        if not told:
            say(f"seed {index} ({seed}): being computed by another run; waiting for it")
            told = True
        time.sleep(0.2)
        done = _finished(folder)
        if done is not None:
            return done, False


def run_case(path: str | Path | Case, *, seeds: int | None = None, out: str | Path = "runs",
             overrides: Sequence[str] = (), cache: bool | str | Path = True, report: bool = True,
             progress: Callable[[str], None] | None = None, argv: Sequence[str] | None = None) -> RunResult:
    """Run a case file (or `Case`) for ``seeds`` seeds into ``<out>/<case>/<hash>/``; finished seeds are skipped.

    ``overrides`` are ``section.key=value`` strings (validated like the file). ``cache=True`` keeps
    trained models in ``<out>/.models`` (a path: there; False: no cache). ``report=False`` skips the
    figures and report.md (metrics are still aggregated).
    """
    if not isinstance(path, (str, os.PathLike, Case)):
        raise CompareError(f"run_case: path must be a case file, a case name or a Case, got {path!r}")
    if isinstance(overrides, str):
        raise CompareError(f"run_case: overrides must be a list of 'section.key=value' strings, got {overrides!r}")
    check_out(out, "run_case: out" if argv is None else "--out")
    case = path if isinstance(path, Case) else load_case(path, overrides=overrides)
    if isinstance(path, Case) and overrides:
        case = case.with_overrides(overrides)
    if seeds is not None:
        if not isinstance(seeds, int) or isinstance(seeds, bool) or seeds < 1:
            raise CompareError(f"--seeds must be an integer >= 1, got {seeds!r}")
        case = case.with_overrides([f"run.seeds={seeds}"])
    n = case.config["run"]["seeds"]
    folder = run_folder(case, out)
    cache_dir: bool | Path = (Path(out) / ".models") if cache is True else (Path(cache) if cache else False)
    say = progress or (lambda s: None)
    t0 = time.perf_counter()
    seed_list = case.seeds(n)
    # the task and the network are built once before anything is written: a case whose task or network
    # cannot be built (too large, bad parameters) fails here and leaves no half-made run folder
    try:
        task = case.make_task(seed_list[0] if case.config["task"]["split"] == "per_seed" else case.config["run"]["seed"])
    except CompareError as exc:
        raise CompareError(f"{case.source}: [task]: {exc}") from None
    try:
        case.make_model(task, seed_list[0])
    except CompareError as exc:
        raise CompareError(f"{case.source}: [net]: {exc}") from None
    del task
    manifest = {"schema": RUN_SCHEMA, "case": case.name, "title": case.title, "source": case.source,
                "hash": case.hash(), "config": case.config, "overrides": list(case.overrides), "n_seeds": n,
                "seeds": seed_list, "seed_indices": list(range(n)),
                "seed_derivation": f"numpy.random.SeedSequence({case.config['run']['seed']})"
                ".spawn(n)[i].generate_state(1)[0]",
                "argv": list(argv) if argv is not None else list(sys.argv), "versions": versions(),
                "git_commit": git_commit()}
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CompareError(f"{folder}: cannot make the run folder: {exc.strerror or exc}") from None
    computed, skipped, records = [], [], []
    memo: dict = {}                 # equal searches of different seeds run once (see run_seed)
    for i, seed in enumerate(seed_list):
        sd = seed_dir(folder, i, seed)
        ts = time.perf_counter()
        say(f"seed {i + 1}/{n} ({seed}): {'running' if _finished(sd) is None else 'finished earlier, skipped'}")
        m, was_computed = ensure_seed(case, i, seed, sd, cache=cache_dir, progress=say, memo=memo)
        records.append(m)
        if was_computed:
            say(f"seed {i + 1}/{n} ({seed}): done in {time.perf_counter() - ts:.1f} s")
            computed.append(i)
        else:
            skipped.append(i)
    metrics = case_metrics(case.name, case.hash(), n, records, case.config["synth"]["bases"])
    # manifest, metrics and report are written together, one run at a time: they always describe the same seeds
    with claim(folder / ".finalize.claim", timeout_s=600):
        atomic_write_json(folder / "manifest.json", manifest)
        atomic_write_json(folder / "metrics.json", metrics)
        if report:
            say("writing figures and report.md ...")
            write_report(folder, lock=False)
        else:
            (folder / "report.md").unlink(missing_ok=True)     # an old report would describe other seeds
    return RunResult(folder, metrics, tuple(computed), tuple(skipped), time.perf_counter() - t0)
