"""Budgets count work: the same case and seed give a byte-identical per-seed metrics.json on a quiet
machine and beside two busy CPU loops (wall-clock figures live in timings.json)."""

from __future__ import annotations

import json
import subprocess
import sys

from compare.runs.study import run_case


def _seed_files(folder):
    seed_dir = next((folder / "seeds").iterdir())
    return (seed_dir / "metrics.json").read_bytes(), json.loads((seed_dir / "timings.json").read_text())


def test_conjunction_metrics_identical_under_load(tmp_path):
    quiet = run_case("conjunction", seeds=1, out=tmp_path / "quiet", cache=False, report=False)
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(2)]
    try:
        loaded = run_case("conjunction", seeds=1, out=tmp_path / "loaded", cache=False, report=False)
    finally:
        for p in busy:
            p.kill()
            p.wait()
    a, ta = _seed_files(quiet.folder)
    b, tb = _seed_files(loaded.folder)
    assert a == b
    m = json.loads(a)
    assert m["valve_fired"] == []
    assert all(m["synthesis"][b]["budget"]["fired"] in (None, "work") for b in m["synthesis"])
    assert "seconds" not in json.dumps(m["extraction"]) and ta.keys() == tb.keys() and "total" in ta
