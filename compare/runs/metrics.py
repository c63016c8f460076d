"""The records of a run folder's ``metrics.json`` files: the typed per-seed record (`SeedRecord`, one
``seeds/<i>-<seed>/metrics.json``, written and read back through ``as_dict`` / ``from_dict``) and the
top-level file: the aggregate over seeds (means and 95 % intervals) and one row per seed, computed from
the per-seed records. Written by `compare.runs.study.run_case` and `compare.runs.sweep`, re-read by
`compare.runs.report`; it imports neither.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Sequence

from ..analysis.matching import Comparison
from ..analysis.stats import mean_ci
from ..errors import CompareError
from ..output.runfolder import RUN_SCHEMA, RunFolderError, check_schema, read_json_file

__all__ = ["AGG_METRICS", "TrainingSummary", "SeedRecord", "seed_record", "read_seed_record", "aggregate",
           "case_metrics", "seed_row"]


def _check_keys(what: str, d: Any, required: Sequence[str], optional: Sequence[str] = ()) -> None:
    """`CompareError` naming the first unknown or missing key of ``d`` (a dict read from JSON)."""
    if not isinstance(d, dict):
        raise CompareError(f"{what}.from_dict: expected a dict, got {type(d).__name__}")
    unknown = [k for k in d if k not in required and k not in optional]
    missing = [k for k in required if k not in d]
    if unknown or missing:
        problem = f"unknown key {unknown[0]!r}" if unknown else f"no key {missing[0]!r}"
        raise CompareError(f"{what}.from_dict: {problem}")


@dataclass(frozen=True)
class TrainingSummary:
    """The ``training`` group of a per-seed record: final accuracies (None with nothing held out), the
    epochs at which the network fitted its training set and generalised (None: never), epochs run and
    the final training loss."""

    train_acc: float | None
    test_acc: float | None
    fit_epoch: int | None
    generalise_epoch: int | None
    epochs: int
    final_train_loss: float | None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready values, keys in field order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainingSummary:
        """The inverse of `as_dict`; a missing or unknown key raises `CompareError` naming it."""
        _check_keys(cls.__name__, d, [f.name for f in fields(cls)])
        return cls(**d)


_SEED_REQUIRED = ("seed_index", "seed", "task", "training", "synthesis", "comparisons")
# keys of a per-seed metrics.json that files of older versions may lack, read as `_seed_defaults`
_SEED_OPTIONAL = ("schema", "case", "split_seed", "extraction", "circuits", "valve_fired", "trajectory", "fourier")


def _seed_defaults() -> dict[str, Any]:
    return {"schema": 1, "case": None, "split_seed": None, "extraction": {}, "circuits": {}, "valve_fired": (),
            "trajectory": None, "fourier": None}


@dataclass(frozen=True)
class SeedRecord:
    """One seed of a case run: its ``seeds/<i>-<seed>/metrics.json``, deterministic for the seed (no
    wall-clock figure). `run_seed` writes ``as_dict()``; the report, the aggregate and the sweep read it
    back with `from_dict` (through `read_seed_record`).

    Typed: ``training`` (`TrainingSummary`) and ``comparisons`` (per basis a `Comparison`). Kept as the
    JSON mappings of their makers (read-only by convention): ``task`` (`Task.to_dict`), ``synthesis`` (per
    basis `synth.SynthesisResult.as_dict()` without its timings, with ``budget``), ``extraction`` (per basis
    `Circuit.summary()` without ``seconds``, and ``error``), ``circuits`` (per basis the program files
    written), ``trajectory`` (checkpoint epochs and `lead_lag`; cases with checkpoints) and ``fourier``
    (`FourierReport.summary()` and the power; Z_p cases). ``valve_fired`` names where a wall-clock valve
    fired (then the numbers depend on machine speed)."""

    case: str | None
    seed_index: int
    seed: int
    split_seed: int | None
    task: dict[str, Any]
    training: TrainingSummary
    synthesis: dict[str, dict[str, Any]]
    extraction: dict[str, dict[str, Any]]
    comparisons: dict[str, Comparison]
    circuits: dict[str, dict[str, Any]]
    valve_fired: tuple[str, ...] = ()
    trajectory: dict[str, Any] | None = None
    fourier: dict[str, Any] | None = None
    schema: int = RUN_SCHEMA

    def __post_init__(self) -> None:
        object.__setattr__(self, "valve_fired", tuple(self.valve_fired))

    def as_dict(self) -> dict[str, Any]:
        """The JSON of the per-seed ``metrics.json`` (``trajectory`` and ``fourier`` only when present)."""
        out = {"schema": self.schema, "case": self.case, "seed_index": self.seed_index, "seed": self.seed,
               "split_seed": self.split_seed, "task": self.task, "training": self.training.as_dict(),
               "synthesis": self.synthesis, "extraction": self.extraction,
               "comparisons": {b: c.as_dict() for b, c in self.comparisons.items()}, "circuits": self.circuits,
               "valve_fired": list(self.valve_fired)}
        if self.trajectory is not None:
            out["trajectory"] = self.trajectory
        if self.fourier is not None:
            out["fourier"] = self.fourier
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SeedRecord:
        """The inverse of `as_dict`; a missing or unknown key raises `CompareError` naming it (keys that
        files of older versions lack read as their defaults: ``schema`` 1, no valve fired, ...)."""
        _check_keys(cls.__name__, d, _SEED_REQUIRED, _SEED_OPTIONAL)
        for key in ("task", "synthesis", "comparisons") + tuple(k for k in ("extraction", "circuits") if k in d):
            if not isinstance(d[key], dict):
                raise CompareError(f"{cls.__name__}.from_dict: {key!r} is {type(d[key]).__name__}, expected a dict")
        comparisons = {}
        for b, c in d["comparisons"].items():
            try:
                comparisons[b] = Comparison.from_dict(c)
            except CompareError as exc:
                raise CompareError(f"comparisons.{b}: {exc}") from None
        values = {**_seed_defaults(), **d}
        return cls(**{**values, "training": TrainingSummary.from_dict(d["training"]), "comparisons": comparisons})


def seed_record(doc: Any, path: str | Path) -> SeedRecord:
    """The `SeedRecord` of ``doc``, the JSON of ``path`` (a seed folder's ``metrics.json``): `RunFolderError`
    naming the file when the schema is newer or the document is not a per-seed record."""
    if not isinstance(doc, dict):
        raise RunFolderError(f"{path}: damaged seed metrics: expected a JSON object, got {type(doc).__name__}")
    check_schema(doc, path)
    try:
        return SeedRecord.from_dict(doc)
    except CompareError as exc:
        raise RunFolderError(f"{path}: damaged seed metrics: {exc}") from None


def read_seed_record(path: str | Path) -> SeedRecord:
    """The `SeedRecord` of a seed folder's ``metrics.json``: `RunFolderError` naming the file when it is
    missing, not JSON, of a newer schema or not a per-seed record."""
    return seed_record(read_json_file(path, "seed metrics"), path)


# (label, (group, field) of a per-seed `Comparison`) aggregated per basis
AGG_METRICS: dict[str, tuple[str, ...]] = {
    "shortest_best": ("function", "shortest_best"),
    "shortest_mean": ("function", "shortest_mean"),
    "posterior_map": ("function", "posterior_map"),
    "posterior_expected": ("function", "posterior_expected"),
    "target": ("function", "target"),
    "random_consistent": ("baselines", "random_consistent"),
    "nearest_neighbour": ("baselines", "nearest_neighbour"),
    "majority": ("baselines", "majority"),
    "min_degree": ("baselines", "min_degree"),
    "net_min_size": ("complexity", "net_min_size"),
    "target_min_size": ("complexity", "target_min_size"),
    "shortest_size": ("complexity", "shortest_size"),
    "shortest_lower_bound": ("complexity", "shortest_lower_bound"),
    "shortest_upper_bound": ("complexity", "shortest_upper_bound"),
    "circuit_size": ("complexity", "circuit_size"),
    "circuit_fidelity": ("complexity", "circuit_fidelity"),
    "rank": ("complexity", "rank"),
    "support_jaccard": ("structure", "support_jaccard"),
    "circuit_support_jaccard": ("structure", "circuit_support_jaccard"),
    "shared_intermediate": ("structure", "shared_intermediate"),
    "graph_edit_distance": ("structure", "graph_edit_distance"),
}


def aggregate(records: Sequence[SeedRecord], bases: Sequence[str] | None = None) -> dict[str, Any]:
    """Means and 95 % intervals over seeds: training, per basis comparison numbers, Z_p Fourier numbers."""
    out: dict[str, Any] = {"n_seeds": len(records)}
    out["training"] = {k: mean_ci([getattr(r.training, k) for r in records])
                       for k in ("train_acc", "test_acc", "fit_epoch", "generalise_epoch", "epochs")}
    if bases is None:
        bases = list(records[0].comparisons) if records else []
    per_basis = {}
    for b in bases:
        comps = [r.comparisons[b] for r in records if b in r.comparisons]
        row = {k: mean_ci([getattr(getattr(c, group), field) for c in comps])
               for k, (group, field) in AGG_METRICS.items()}
        row["implements_shortest"] = {"count": sum(c.implements_shortest is True for c in comps),
                                      "undetermined": sum(c.implements_shortest is None for c in comps),
                                      "n": len(comps)}
        iso = [c.structure.isomorphic for c in comps if c.structure.isomorphic is not None]
        row["isomorphic"] = {"count": sum(bool(x) for x in iso), "n": len(iso)}
        row["equals_target"] = {"count": sum(bool(c.complexity.equals_target) for c in comps), "n": len(comps)}
        syn = [r.synthesis[b] for r in records]
        row["synthesis_exact"] = {"count": sum(bool(s["exact"]) for s in syn), "n": len(syn)}
        row["shortest_programs"] = sorted({p for s in syn for p in s["shortest"][:1]})
        per_basis[b] = row
    out["bases"] = per_basis
    fr = [r.fourier for r in records if r.fourier]
    if fr:
        out["fourier"] = {k: mean_ci([f[k] for f in fr]) for k in
                          ("key_fraction", "accuracy", "test_accuracy", "restricted_accuracy",
                           "excluded_accuracy", "n_smallest_faithful")}
        out["fourier"]["key_frequencies"] = [f["key_frequencies"] for f in fr]
    out["extraction_errors"] = sum(1 for r in records for v in r.extraction.values() if v.get("error"))
    out["valve_fired"] = {"seeds": sum(bool(r.valve_fired) for r in records), "n": len(records)}
    return out


def case_metrics(name: str, config_hash: str, n_requested: int, records: Sequence[SeedRecord],
                 bases: Sequence[str]) -> dict[str, Any]:
    """The top-level ``metrics.json`` of a run folder: the aggregate over the per-seed ``records`` (as read
    from the seed folders) and one row per seed; ``n_seeds`` is the number of seeds requested; ``schema``
    the run folder's `RUN_SCHEMA`."""
    return {"schema": RUN_SCHEMA, "case": name, "hash": config_hash, "n_seeds": n_requested,
            "aggregate": aggregate(records, bases), "per_seed": [seed_row(r) for r in records]}


def seed_row(r: SeedRecord) -> dict[str, Any]:
    """One row of the per-seed table: training, and per basis the headline numbers."""
    row = {"seed_index": r.seed_index, "seed": r.seed, "train_acc": r.training.train_acc,
           "test_acc": r.training.test_acc, "fit_epoch": r.training.fit_epoch,
           "valve_fired": list(r.valve_fired), "bases": {}}
    for b, c in r.comparisons.items():
        ex = r.extraction.get(b, {})
        f, k, s = c.function, c.complexity, c.structure
        row["bases"][b] = {
            "implements_shortest": c.implements_shortest,
            "shortest_best": f.shortest_best, "posterior_map": f.posterior_map,
            "target": f.target, "net_min_size": k.net_min_size,
            "shortest_size": k.shortest_size,
            "shortest_bounds": [k.shortest_lower_bound, k.shortest_upper_bound],
            "shortest_exact": k.shortest_exact,
            "circuit_size": k.circuit_size, "fidelity": k.circuit_fidelity,
            "rank": k.rank, "isomorphic": s.isomorphic,
            "shared_intermediate": s.shared_intermediate,
            "extraction_error": ex.get("error"), "verdict": c.verdict,
            "shortest_program": (r.synthesis[b]["shortest"] or [None])[0],
            "net_min_program": k.net_min_program,
        }
    if r.fourier:
        row["fourier"] = {k: r.fourier[k] for k in ("key_frequencies", "key_fraction", "restricted_accuracy",
                                                    "n_smallest_faithful")}
    return row
