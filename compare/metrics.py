"""The numbers of a run folder's ``metrics.json``: the aggregate over seeds (means and 95 % intervals)
and one row per seed, computed from the per-seed metrics. Written by `compare.study.run_case` and
`compare.sweep`, re-read by `compare.report`; it imports neither.
"""

from __future__ import annotations

from typing import Any, Sequence

from .runfolder import RUN_SCHEMA
from .stats import mean_ci

__all__ = ["AGG_METRICS", "aggregate", "case_metrics", "seed_row"]

# (label, path in a per-seed comparison dict) aggregated per basis
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


def _get(d: dict, path: tuple[str, ...]) -> Any:
    for k in path:
        if not isinstance(d, dict) or k not in d:
            return None
        d = d[k]
    return d


def aggregate(seed_metrics: Sequence[dict], bases: Sequence[str] | None = None) -> dict[str, Any]:
    """Means and 95 % intervals over seeds: training, per basis comparison numbers, Z_p Fourier numbers."""
    out: dict[str, Any] = {"n_seeds": len(seed_metrics)}
    out["training"] = {k: mean_ci([_get(m, ("training", k)) for m in seed_metrics])
                       for k in ("train_acc", "test_acc", "fit_epoch", "generalise_epoch", "epochs")}
    if bases is None:
        bases = list(seed_metrics[0]["comparisons"]) if seed_metrics else []
    per_basis = {}
    for b in bases:
        comps = [m["comparisons"][b] for m in seed_metrics if b in m["comparisons"]]
        row = {k: mean_ci([_get(c, p) for c in comps]) for k, p in AGG_METRICS.items()}
        row["implements_shortest"] = {"count": sum(c["implements_shortest"] is True for c in comps),
                                      "undetermined": sum(c["implements_shortest"] is None for c in comps),
                                      "n": len(comps)}
        iso = [c["structure"].get("isomorphic") for c in comps if c["structure"].get("isomorphic") is not None]
        row["isomorphic"] = {"count": sum(bool(x) for x in iso), "n": len(iso)}
        row["equals_target"] = {"count": sum(bool(c["complexity"]["equals_target"]) for c in comps),
                                "n": len(comps)}
        syn = [m["synthesis"][b] for m in seed_metrics]
        row["synthesis_exact"] = {"count": sum(bool(s["exact"]) for s in syn), "n": len(syn)}
        row["shortest_programs"] = sorted({p for s in syn for p in s["shortest"][:1]})
        per_basis[b] = row
    out["bases"] = per_basis
    fr = [m.get("fourier") for m in seed_metrics if m.get("fourier")]
    if fr:
        out["fourier"] = {k: mean_ci([f[k] for f in fr]) for k in
                          ("key_fraction", "accuracy", "test_accuracy", "restricted_accuracy",
                           "excluded_accuracy", "n_smallest_faithful")}
        out["fourier"]["key_frequencies"] = [f["key_frequencies"] for f in fr]
    ext = [m.get("extraction", {}) for m in seed_metrics]
    out["extraction_errors"] = sum(1 for e in ext for v in e.values() if v.get("error"))
    out["valve_fired"] = {"seeds": sum(bool(m.get("valve_fired")) for m in seed_metrics), "n": len(seed_metrics)}
    return out


def case_metrics(name: str, config_hash: str, n_requested: int, seed_metrics: Sequence[dict],
                 bases: Sequence[str]) -> dict[str, Any]:
    """The top-level ``metrics.json`` of a run folder: the aggregate over ``seed_metrics`` (as read from
    the seed folders) and one row per seed; ``n_seeds`` is the number of seeds requested; ``schema`` the
    run folder's `RUN_SCHEMA`."""
    return {"schema": RUN_SCHEMA, "case": name, "hash": config_hash, "n_seeds": n_requested, "aggregate": aggregate(seed_metrics, bases),
            "per_seed": [seed_row(m) for m in seed_metrics]}


def seed_row(m: dict) -> dict[str, Any]:
    """One row of the per-seed table: training, and per basis the headline numbers."""
    row = {"seed_index": m["seed_index"], "seed": m["seed"], "train_acc": m["training"]["train_acc"],
           "test_acc": m["training"]["test_acc"], "fit_epoch": m["training"]["fit_epoch"],
           "valve_fired": list(m.get("valve_fired", [])), "bases": {}}
    for b, c in m["comparisons"].items():
        ex = m.get("extraction", {}).get(b, {})
        row["bases"][b] = {
            "implements_shortest": c["implements_shortest"],
            "shortest_best": c["function"]["shortest_best"], "posterior_map": c["function"]["posterior_map"],
            "target": c["function"]["target"], "net_min_size": c["complexity"]["net_min_size"],
            "shortest_size": c["complexity"]["shortest_size"],
            "shortest_bounds": [c["complexity"]["shortest_lower_bound"], c["complexity"]["shortest_upper_bound"]],
            "shortest_exact": c["complexity"]["shortest_exact"],
            "circuit_size": c["complexity"]["circuit_size"], "fidelity": c["complexity"]["circuit_fidelity"],
            "rank": c["complexity"]["rank"], "isomorphic": c["structure"]["isomorphic"],
            "shared_intermediate": c["structure"]["shared_intermediate"],
            "extraction_error": ex.get("error"), "verdict": c["verdict"],
            "shortest_program": (m["synthesis"][b]["shortest"] or [None])[0],
            "net_min_program": c["complexity"]["net_min_program"],
        }
    if m.get("fourier"):
        row["fourier"] = {k: m["fourier"][k] for k in ("key_frequencies", "key_fraction", "restricted_accuracy",
                                                       "n_smallest_faithful")}
    return row

