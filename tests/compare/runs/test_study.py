"""run_case end to end on a tiny case: run folder layout, determinism, resume, report."""

import json

import pytest

from compare import CompareError
from compare.runs.cases import load_case_text
from compare.runs.study import mean_ci, run_case
from reference import TINY_PARITY as TINY



@pytest.fixture(scope="module")
def tiny():
    return load_case_text(TINY, source="tiny.toml")


def test_run_folder_layout_resume_and_report(tiny, tmp_path):
    r = run_case(tiny, out=tmp_path, cache=False, report=True)
    f = r.folder
    assert f == tmp_path / "tiny_parity" / tiny.hash()
    assert r.computed == (0, 1) and r.skipped == ()
    man = json.loads((f / "manifest.json").read_text())
    assert man["config"]["task"]["target"] == "parity" and len(man["seeds"]) == 2
    assert {"python", "torch", "numpy", "sympy", "networkx"} <= set(man["versions"])
    for name in ("metrics.json", "report.md", "figures/agreement.png", "figures/training.png",
                 "figures/sizes.png", "figures/circuits.png", "circuits/shortest_xag.dot",
                 "circuits/shortest_xag.txt"):
        assert (f / name).is_file(), name
    agg = json.loads((f / "metrics.json").read_text())["aggregate"]
    assert agg["n_seeds"] == 2 and set(agg["bases"]) == {"xag", "aon"}
    text = (f / "report.md").read_text()
    assert "## Verdict" in text and "basis xag" in text and "figures/agreement.png" in text
    assert not list(f.rglob("*.tmp"))
    # resume: finished seeds are skipped; more seeds add only the new one, in the same folder
    r2 = run_case(tiny, out=tmp_path, cache=False, report=False, seeds=3)
    assert r2.folder == f and r2.skipped == (0, 1) and r2.computed == (2,)


def test_same_seed_gives_identical_metrics(tiny, tmp_path):
    one = run_case(tiny, out=tmp_path / "a", seeds=1, cache=False, report=False)
    two = run_case(tiny, out=tmp_path / "b", seeds=1, cache=False, report=False)
    sa = next((one.folder / "seeds").iterdir()) / "metrics.json"
    sb = next((two.folder / "seeds").iterdir()) / "metrics.json"
    assert sa.read_bytes() == sb.read_bytes()
    assert (one.folder / "metrics.json").read_bytes() == (two.folder / "metrics.json").read_bytes()


def test_valve_that_fires_is_reported(tiny, tmp_path):
    """A wall-clock valve that fires makes the numbers machine-dependent: per-seed valve_fired says where,
    the aggregate counts the seeds, and the report warns."""
    r = run_case(tiny, out=tmp_path, seeds=1, cache=False, report=True, overrides=["synth.budget_s=1e-9"])
    m = json.loads(next((r.folder / "seeds").iterdir()).joinpath("metrics.json").read_text())
    assert "synthesis.xag" in m["valve_fired"] and "synthesis.aon" in m["valve_fired"]
    assert m["synthesis"]["xag"]["budget"]["valve_fired"] and m["synthesis"]["xag"]["deterministic"] is False
    assert r.metrics["aggregate"]["valve_fired"] == {"seeds": 1, "n": 1}
    assert r.metrics["per_seed"][0]["valve_fired"] == m["valve_fired"]
    assert "a wall-clock safety valve fired" in (r.folder / "report.md").read_text()


def test_bad_seeds_and_overrides_write_nothing(tiny, tmp_path):
    with pytest.raises(CompareError, match="--seeds"):
        run_case(tiny, out=tmp_path, seeds=0)
    with pytest.raises(CompareError, match=r"\[train\] lr"):
        run_case(tiny, out=tmp_path, overrides=["train.lr=-1"])
    assert not any(tmp_path.iterdir())


def test_mean_ci():
    assert mean_ci([1.0, 1.0, 1.0]) == {"mean": 1.0, "lo": 1.0, "hi": 1.0, "n": 3}
    d = mean_ci([0.0, 1.0, None])
    assert d["n"] == 2 and d["lo"] < 0.5 < d["hi"]
    assert mean_ci([])["mean"] is None


def test_atomic_writes_get_the_usual_file_mode(tmp_path):
    # tempfile.mkstemp makes 0600 files; a run folder's files should be as readable as open() makes them
    import os
    from compare.output.runfolder import atomic_write_json
    mask = os.umask(0o022)
    os.umask(mask)
    p = atomic_write_json(tmp_path / "x.json", {"a": 1})
    assert p.stat().st_mode & 0o777 == 0o666 & ~mask


def test_seeds_share_equal_searches_and_records_do_not_change(tiny, tmp_path, monkeypatch):
    import synth
    import compare.analysis.function as fn
    import compare.runs.study as study
    real = synth.synthesize
    calls = []

    def counting(spec, **kw):
        calls.append((spec.digest(), tuple(sorted((k, repr(v)) for k, v in kw.items()))))
        return real(spec, **kw)

    monkeypatch.setattr(synth, "synthesize", counting)
    fixed = tiny.with_overrides(["task.split=fixed"])      # every seed trains on the same examples
    shared = run_case(fixed, out=tmp_path / "shared", seeds=2, cache=False, report=False)
    case_spec = fixed.make_task(fixed.config["run"]["seed"]).train_spec().digest()
    assert sum(d == case_spec for d, _ in calls) == 2      # one per basis, not one per seed and basis
    target = [c for c in calls if ("budget", "2000000") in c[1]]     # function_budget: minimal programs
    assert len(target) >= 2 and len(target) == len(set(target))     # each minimal-program search ran once
    # without sharing, every seed searches again, and writes the same bytes
    alone = fn.memo_synthesize
    monkeypatch.setattr(fn, "memo_synthesize", lambda memo, spec, **kw: alone(None, spec, **kw))
    monkeypatch.setattr(study, "memo_synthesize", lambda memo, spec, **kw: alone(None, spec, **kw))
    calls.clear()
    apart = run_case(fixed, out=tmp_path / "apart", seeds=2, cache=False, report=False)
    assert sum(d == case_spec for d, _ in calls) == 4
    for a, b in zip(sorted((shared.folder / "seeds").iterdir()), sorted((apart.folder / "seeds").iterdir())):
        if a.is_dir():
            assert (a / "metrics.json").read_bytes() == (b / "metrics.json").read_bytes()


def test_the_search_memo_keeps_only_its_newest_results(monkeypatch):
    import synth
    import compare.analysis.function as fn
    monkeypatch.setattr(fn, "MEMO_ENTRIES", 2)
    memo = {}
    first = fn.memo_synthesize(memo, synth.Spec.from_table(0x6, 2), basis="xag", budget=10**6)
    assert fn.memo_synthesize(memo, synth.Spec.from_table(0x6, 2), basis="xag", budget=10**6) is first
    for t in (0x8, 0xe):
        fn.memo_synthesize(memo, synth.Spec.from_table(t, 2), basis="xag", budget=10**6)
    assert len(memo) == 2
    again = fn.memo_synthesize(memo, synth.Spec.from_table(0x6, 2), basis="xag", budget=10**6)
    assert again is not first and again.min_size == first.min_size == 1


CARRY = """
[case]
name = "carry"
[task]
target = "parity"
params = { n = 8, k = 2 }
train_fraction = 0.5
[net]
widths = [8]
[train]
optimizer = "adamw"
lr = 0.05
loss = "hinge"
epochs = 300
cleanup_epochs = 50
eval_every = 20
[extract]
method = "none"
[synth]
bases = ["xag", "aon"]
budget = 5e6
basis_budget = { aon = 2e3 }
function_budget = 2e6
[run]
seeds = 1
"""


def test_a_case_carries_bounds_from_basis_to_basis(tmp_path):
    """The bases of a case are synthesised in order and each gets what the ones before proved: here xag
    proves XOR of 2 inputs (1 gate), so aon's lower bound is 1 + one NOT (Markov), though its own search
    stopped at once."""
    case = load_case_text(CARRY, source="carry.toml")
    r = run_case(case, out=tmp_path, cache=False, report=False)
    seed = json.loads(next(r.folder.glob("seeds/*/metrics.json")).read_text())
    xag, aon = seed["synthesis"]["xag"], seed["synthesis"]["aon"]
    assert (xag["exact"], xag["min_size"]) == (True, 1)
    assert aon["lower_bound"] == 2 and any("from other bases" in n for n in aon["notes"])
