"""Sweeps: many (case, config, seed) jobs on one machine or a Dask cluster, resumable, gathered from disk.

::

    jobs = plan_sweep(["cases/parity.toml", "cases/majority.toml"], parse_seeds("0:20"))
    res = run_sweep(jobs, out="runs", backend="joblib", n_jobs=2)      # or "serial", "dask"

A `Job` is (case file, overrides, seed index): a pure function of the case's config and its seed that
writes one seed folder ``<out>/<case>/<hash>/seeds/<i>-<seed>/`` through `compare.runs.study.run_seed`
(every file written atomically, ``metrics.json`` last). A job whose seed folder already holds a complete
``metrics.json`` is skipped, so a sweep killed at any moment resumes without redoing a finished seed and
without a half-written file. Workers return only a small status record; the results are then read back
FROM DISK and each case folder is re-aggregated (``manifest.json``, ``metrics.json``, ``report.md``) in the
calling process, so the serial, joblib and Dask backends give the same output.

Backends: ``serial`` (in process), ``joblib`` (`joblib.Parallel` with processes, ``n_jobs`` workers),
``dask`` (`joblib.parallel_config(backend="dask")` on a `distributed.Client` at ``scheduler``, or on a
loopback `distributed.LocalCluster` with 2 worker processes when ``scheduler`` is None). With a remote
scheduler, the workers must see the same file system path as ``out`` and the case files.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from ..errors import CompareError
from ..output.runfolder import (RUN_SCHEMA, RunFolderError, atomic_write_json, check_out, claim, git_commit,
                                process_alive, read_json_file, versions)
from .cases import MAX_SEEDS, Case, load_case, resolve_case
from .metrics import SeedRecord, case_metrics, read_seed_record
from .report import write_report
from .study import ensure_seed, run_folder, seed_dir

__all__ = ["Job", "SweepResult", "BACKENDS", "parse_seeds", "plan_sweep", "run_job", "run_sweep",
           "gather_case"]

BACKENDS = ("serial", "joblib", "dask")


# ----------------------------------------------------------------------------------------------- jobs

@dataclass(frozen=True)
class Job:
    """One seed of one case config: ``case`` is an absolute case-file path, ``overrides`` its ``--set`` items."""

    case: str
    overrides: tuple[str, ...]
    seed_index: int

    def load(self) -> Case:
        """The validated `Case` (overrides applied)."""
        return load_case(self.case, overrides=self.overrides)

    def seed(self, case: Case | None = None) -> int:
        """The integer seed of this job (``SeedSequence(run.seed).spawn(n)[seed_index]``, stable in ``n``)."""
        case = case or self.load()
        return case.seeds(self.seed_index + 1)[self.seed_index]

    def folder(self, out: str | Path = "runs", case: Case | None = None) -> Path:
        """The case run folder ``<out>/<case>/<hash>``."""
        return run_folder(case or self.load(), out)

    def seed_dir(self, out: str | Path = "runs", case: Case | None = None) -> Path:
        """The job's seed folder ``<out>/<case>/<hash>/seeds/<i>-<seed>``."""
        case = case or self.load()
        return seed_dir(run_folder(case, out), self.seed_index, self.seed(case))

    def done(self, out: str | Path = "runs", case: Case | None = None) -> bool:
        """True when the seed folder holds a complete ``metrics.json`` (the job is finished)."""
        return _complete(self.seed_dir(out, case) / "metrics.json")


def _complete(path: Path) -> bool:
    """True when ``path`` exists, parses and is a finished seed's record (a run writes it last)."""
    try:
        m = read_json_file(path, "seed metrics")
    except RunFolderError:
        return False
    return isinstance(m, dict) and "seed_index" in m and "comparisons" in m


def _read_complete(path: Path) -> SeedRecord | None:
    """The record in ``path`` when the seed is finished (`_complete`), else None; a finished file that is
    not a per-seed record of this version raises `RunFolderError` naming it."""
    return read_seed_record(path) if _complete(path) else None


def parse_seeds(text: str | int | range) -> range:
    """``"a:b"`` -> ``range(a, b)``; ``"n"`` or ``n`` -> ``range(n)``; a `range` is checked and returned."""
    if isinstance(text, range):
        r = text
    elif isinstance(text, bool):
        raise CompareError(f"--seeds must be 'A:B' or a count, got {text!r}")
    elif isinstance(text, int):
        r = range(text)
    elif isinstance(text, str):
        s = text.strip()
        try:
            if ":" in s:
                a, b = s.split(":")
                r = range(int(a) if a.strip() else 0, int(b))
            else:
                r = range(int(s))
        except ValueError:
            raise CompareError(f"--seeds must be 'A:B' (seed indices A..B-1) or a count N, got {text!r}") from None
    else:
        raise CompareError(f"--seeds must be 'A:B' or a count, got {text!r}")
    if r.step != 1 or r.start < 0 or r.stop <= r.start or r.stop > MAX_SEEDS:
        raise CompareError(f"--seeds {text!r}: need 0 <= A < B <= {MAX_SEEDS} (a non-empty range of seed "
                           f"indices with step 1), got {r}")
    return r


def plan_sweep(case_paths: str | Path | Iterable[str | Path], seeds: range | int | str,
               overrides: Sequence[str] = ()) -> list[Job]:
    """Jobs for every case file x seed index (case-major). Each case is loaded once to validate it."""
    if isinstance(case_paths, (str, Path)):
        case_paths = [case_paths]
    paths = list(case_paths)
    if not paths:
        raise CompareError("a sweep needs at least one case file")
    r = parse_seeds(seeds)
    ov = tuple(str(o) for o in overrides)
    jobs: list[Job] = []
    seen: set[str] = set()
    for p in paths:
        path = str(resolve_case(p).resolve())
        load_case(path, overrides=ov)           # raises CompareError for a bad case or override
        if path in seen:
            continue
        seen.add(path)
        jobs.extend(Job(path, ov, i) for i in r)
    return jobs


# ----------------------------------------------------------------------------------------------- one job

_WATCHED: set[int] = set()


def _exit_with(sweep_pid: int) -> None:
    """In a worker process: a daemon thread that ends the process once the sweep process is gone, so a
    killed sweep (SIGKILL leaves no chance to stop the pool) leaves no worker computing on."""
    if sweep_pid == os.getpid() or sweep_pid in _WATCHED:
        return
    _WATCHED.add(sweep_pid)
    parent = os.getppid()

    def watch() -> None:
        while process_alive(sweep_pid) and os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)      # the seed being computed keeps no metrics.json, so a rerun redoes it

    threading.Thread(target=watch, name="occam-sweep-watch", daemon=True).start()


def run_job(job: Job, out: str | Path = "runs", cache: bool | str | Path = True, *,
            sweep_pid: int | None = None) -> dict[str, Any]:
    """Run one job into its seed folder (skipped when finished). Returns a small status record; never raises
    for a failure inside the job (status ``failed`` with the error), so one bad job does not stop a sweep.
    ``sweep_pid``: in a worker process, the sweep's process; the worker exits when it is gone."""
    if sweep_pid is not None:
        _exit_with(sweep_pid)
    t0 = time.perf_counter()
    rec: dict[str, Any] = {"case": job.case, "overrides": list(job.overrides), "seed_index": job.seed_index}
    try:
        case = job.load()
        seed = job.seed(case)
        sd = seed_dir(run_folder(case, out), job.seed_index, seed)
        rec.update(name=case.name, seed=seed, folder=str(sd))
        cache_dir: bool | Path = (Path(out) / ".models") if cache is True else (Path(cache) if cache else False)
        _, computed = ensure_seed(case, job.seed_index, seed, sd, cache=cache_dir)   # claimed: never twice
        rec["status"] = "done" if computed else "skipped"
    except Exception as exc:        # reported in SweepResult.failed; the other jobs go on
        rec["status"] = "failed"
        rec["error"] = f"{type(exc).__name__}: {exc}"
        rec["traceback"] = traceback.format_exc()
    rec["seconds"] = round(time.perf_counter() - t0, 3)
    return rec


# ----------------------------------------------------------------------------------------------- gather

def gather_case(case: Case, seed_indices: Iterable[int], out: str | Path = "runs", *, report: bool = True,
                argv: Sequence[str] | None = None) -> dict[str, Any] | None:
    """Re-aggregate a case folder from the seed folders on disk (only ``seed_indices``, only finished ones):
    writes ``manifest.json``, ``metrics.json`` (same format as `run_case`) and, with ``report``, the report.
    Returns the aggregated metrics, or None when none of the seeds is finished."""
    folder = run_folder(case, out)
    idx = sorted(set(seed_indices))
    if not idx:
        return None
    all_seeds = case.seeds(idx[-1] + 1)
    found = []
    for i in idx:
        m = _read_complete(seed_dir(folder, i, all_seeds[i]) / "metrics.json")
        if m is not None:
            found.append(m)
    if not found:
        return None
    n = len(found)
    seed_list = [r.seed for r in found]
    manifest = {"schema": RUN_SCHEMA, "case": case.name, "title": case.title, "source": case.source,
                "hash": case.hash(),
                "config": case.with_overrides([f"run.seeds={n}"]).config, "overrides": list(case.overrides),
                "n_seeds": n, "seeds": seed_list, "seed_indices": [r.seed_index for r in found],
                "seed_derivation": f"numpy.random.SeedSequence({case.config['run']['seed']})"
                ".spawn(n)[i].generate_state(1)[0]",
                "argv": list(argv) if argv is not None else list(sys.argv), "versions": versions(),
                "git_commit": git_commit(), "gathered_by": "compare.runs.sweep"}
    folder.mkdir(parents=True, exist_ok=True)
    metrics = case_metrics(case.name, case.hash(), n, found, case.config["synth"]["bases"])
    with claim(folder / ".finalize.claim", timeout_s=600):     # manifest, metrics and report together
        atomic_write_json(folder / "manifest.json", manifest)
        atomic_write_json(folder / "metrics.json", metrics)
        if report:
            write_report(folder, lock=False)
        else:
            (folder / "report.md").unlink(missing_ok=True)
    return metrics


# ----------------------------------------------------------------------------------------------- sweep

@dataclass(frozen=True)
class SweepResult:
    """What `run_sweep` returns: per-job status records and the case folders gathered from disk."""

    out: Path
    backend: str
    computed: tuple[Job, ...]
    skipped: tuple[Job, ...]
    failed: tuple[tuple[Job, str], ...]
    folders: tuple[Path, ...]
    metrics: dict[str, dict] = field(default_factory=dict)      # str(folder) -> aggregated metrics
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when no job failed."""
        return not self.failed


def _dispatch(todo: list[Job], out: Path, cache: Any, backend: str, n_jobs: int, scheduler: str | None,
              say: Callable[[str], None]) -> list[dict]:
    total = len(todo)
    recs: list[dict] = []

    def note(rec: dict) -> None:
        recs.append(rec)
        tag = f"{rec.get('name', Path(rec['case']).stem)} seed {rec['seed_index']}"
        msg = rec["status"] if rec["status"] != "failed" else f"FAILED ({rec['error']})"
        say(f"[{len(recs)}/{total}] {tag}: {msg} in {rec['seconds']:.1f} s")

    if backend == "serial" or not todo:
        for j in todo:
            note(run_job(j, out, cache))
        return recs
    import joblib

    def run_parallel(n: int) -> None:
        par = joblib.Parallel(n_jobs=n, return_as="generator_unordered")
        me = os.getpid() if backend == "joblib" else None     # Dask workers may be on other machines
        for rec in par(joblib.delayed(run_job)(j, out, cache, sweep_pid=me) for j in todo):
            note(rec)

    if backend == "joblib":
        with joblib.parallel_config(backend="loky"):
            run_parallel(n_jobs)
        return recs
    # dask
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:     # pragma: no cover - optional dependency
        raise CompareError(f"--backend dask needs dask.distributed: {exc}") from None
    cluster = None
    if scheduler is None:
        say("starting a LocalCluster (2 worker processes, loopback) ...")
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                               host="127.0.0.1")
        client = Client(cluster)
    else:
        try:
            client = Client(scheduler, timeout="20s")
        except OSError as exc:
            raise CompareError(f"--scheduler {scheduler!r}: cannot connect: {exc}") from None
    try:
        with joblib.parallel_config(backend="dask"):
            run_parallel(-1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return recs


def run_sweep(jobs: Sequence[Job], *, out: str | Path = "runs", backend: str = "serial", n_jobs: int = 2,
              scheduler: str | None = None, cache: bool | str | Path = True, report: bool = True,
              progress: Callable[[str], None] | None = None, argv: Sequence[str] | None = None) -> SweepResult:
    """Run the jobs not finished yet on ``backend``, then gather every case folder from disk.

    ``cache`` is as in `run_case` (True: ``<out>/.models``). ``report=False`` skips figures and report.md.
    Failed jobs are listed in ``SweepResult.failed`` (their seed folder has no ``metrics.json``, so a
    rerun tries them again); the finished seeds are still gathered.
    """
    if backend not in BACKENDS:
        raise CompareError(f"unknown backend {backend!r} (known: {', '.join(BACKENDS)})")
    if not isinstance(n_jobs, int) or isinstance(n_jobs, bool) or n_jobs == 0 or n_jobs < -1:
        raise CompareError(f"n_jobs must be a positive integer or -1, got {n_jobs!r}")
    if scheduler is not None and backend != "dask":
        raise CompareError(f"--scheduler needs --backend dask (got backend {backend!r})")
    jobs = list(jobs)
    for j in jobs:
        if not isinstance(j, Job):
            raise CompareError(f"run_sweep takes Jobs from plan_sweep, got {j!r}")
    say = progress or (lambda s: None)
    t0 = time.perf_counter()
    out = check_out(out).resolve()
    cases: dict[tuple[str, tuple[str, ...]], Case] = {}
    for j in jobs:
        if (j.case, j.overrides) not in cases:
            cases[(j.case, j.overrides)] = j.load()
    skipped, todo = [], []
    for j in jobs:
        (skipped if j.done(out, cases[(j.case, j.overrides)]) else todo).append(j)
    say(f"sweep: {len(jobs)} job(s), {len(skipped)} finished earlier, {len(todo)} to run on {backend}")
    recs = _dispatch(todo, out, cache, backend, n_jobs, scheduler, say)
    by_key = {(r["case"], tuple(r["overrides"]), r["seed_index"]): r for r in recs}
    computed, failed = [], []
    for j in todo:
        r = by_key.get((j.case, j.overrides, j.seed_index))
        if r is None:
            failed.append((j, "no result returned"))
        elif r["status"] == "failed":
            failed.append((j, r["error"]))
        elif r["status"] == "skipped":      # finished by someone else in the meantime
            skipped.append(j)
        else:
            computed.append(j)
    folders, metrics = [], {}
    for key, case in cases.items():
        idx = [j.seed_index for j in jobs if (j.case, j.overrides) == key]
        say(f"gathering {case.name} ({len(idx)} seed(s)) from disk ...")
        m = gather_case(case, idx, out, report=report, argv=argv)
        folder = run_folder(case, out)
        folders.append(folder)
        if m is not None:
            metrics[str(folder)] = m
    order = {j: k for k, j in enumerate(jobs)}
    return SweepResult(out, backend, tuple(sorted(computed, key=order.get)), tuple(sorted(skipped, key=order.get)),
                       tuple(failed), tuple(folders), metrics, time.perf_counter() - t0)
