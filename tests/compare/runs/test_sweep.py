"""compare.runs.sweep: planning, skip of finished jobs, backends agree byte for byte, a killed sweep resumes cleanly."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compare import CompareError
from compare.runs.sweep import Job, parse_seeds, plan_sweep, run_sweep

from reference import TINY_PARITY as TINY

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture()
def tiny_file(tmp_path):
    p = tmp_path / "tiny.toml"
    p.write_text(TINY)
    return p


def _seed_metrics(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.glob("*/*/seeds/*/metrics.json"))}


def _all_json_parse(root: Path) -> int:
    n = 0
    for p in root.rglob("*.json"):
        json.loads(p.read_text())
        n += 1
    return n


def test_parse_seeds_and_plan(tiny_file):
    assert parse_seeds("0:20") == range(0, 20)
    assert parse_seeds("5") == range(5) and parse_seeds(3) == range(3) and parse_seeds("2:4") == range(2, 4)
    for bad in ("3:1", "a:b", "-1:2", "0:0", "1:2:3", "0:100000", True):
        with pytest.raises(CompareError):
            parse_seeds(bad)
    jobs = plan_sweep([tiny_file], "1:3", overrides=["train.lr=0.04"])
    assert [j.seed_index for j in jobs] == [1, 2]
    assert jobs[0] == Job(str(tiny_file.resolve()), ("train.lr=0.04",), 1)
    assert hash(jobs[0]) == hash(Job(str(tiny_file.resolve()), ("train.lr=0.04",), 1))
    with pytest.raises(CompareError):
        plan_sweep([tiny_file], "0:2", overrides=["train.nope=1"])
    with pytest.raises(CompareError):
        plan_sweep([tiny_file.parent / "missing.toml"], 2)
    with pytest.raises(CompareError):
        run_sweep(jobs, backend="spark")
    with pytest.raises(CompareError):
        run_sweep(jobs, backend="serial", scheduler="tcp://127.0.0.1:1")


def test_serial_and_joblib_identical_and_rerun_skips(tiny_file, tmp_path):
    jobs = plan_sweep([tiny_file], "0:2")
    a = run_sweep(jobs, out=tmp_path / "a", backend="serial", cache=False, report=False)
    b = run_sweep(jobs, out=tmp_path / "b", backend="joblib", n_jobs=2, cache=False, report=False)
    assert a.ok and b.ok and len(a.computed) == len(b.computed) == 2
    ma, mb = _seed_metrics(tmp_path / "a"), _seed_metrics(tmp_path / "b")
    assert len(ma) == 2 and ma == mb
    fa, fb = a.folders[0], b.folders[0]
    assert (fa / "metrics.json").read_bytes() == (fb / "metrics.json").read_bytes()
    assert json.loads((fa / "metrics.json").read_text())["n_seeds"] == 2
    # a finished job is skipped on rerun: nothing rewritten in its seed folder
    seed_files = sorted(p for p in fa.glob("seeds/*/**/*") if p.is_file())
    before = {p: p.stat().st_mtime_ns for p in seed_files}
    again = run_sweep(jobs + plan_sweep([tiny_file], "2:3"), out=tmp_path / "a", backend="serial", cache=False,
                      report=False)
    assert [j.seed_index for j in again.skipped] == [0, 1] and [j.seed_index for j in again.computed] == [2]
    assert {p: p.stat().st_mtime_ns for p in seed_files} == before
    assert json.loads((fa / "metrics.json").read_text())["n_seeds"] == 3


_KILL_SCRIPT = """
import sys
from compare.runs.sweep import plan_sweep, run_sweep
jobs = plan_sweep([sys.argv[1]], "0:{n}")
def say(msg):
    print(msg, flush=True)
run_sweep(jobs, out=sys.argv[2], backend="serial", cache=False, report=False, progress=say)
"""


def test_killed_sweep_resumes_without_loss_or_corruption(tiny_file, tmp_path):
    n = 6
    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT.format(n=n), str(tiny_file), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT)
    lines = []
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if line.startswith("[1/"):                  # the first seed folder is complete: kill mid-sweep
                proc.send_signal(signal.SIGKILL)
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "".join(lines)
    finished = sorted(out.glob("*/*/seeds/*/metrics.json"))
    assert 1 <= len(finished) < n, "kill should land mid-sweep"
    _all_json_parse(out)                                # nothing half-written at the moment of the kill
    mtimes = {p: p.stat().st_mtime_ns for p in finished}
    res = run_sweep(plan_sweep([tiny_file], f"0:{n}"), out=out, backend="serial", cache=False, report=True)
    assert res.ok and len(res.skipped) == len(finished) and len(res.computed) == n - len(finished)
    assert {p: p.stat().st_mtime_ns for p in finished} == mtimes          # no finished seed redone
    assert len(list(out.glob("*/*/seeds/*/metrics.json"))) == n          # every seed complete
    assert _all_json_parse(out) >= 3 * n                                  # every *.json parses
    agg = json.loads((res.folders[0] / "metrics.json").read_text())
    assert agg["n_seeds"] == n and (res.folders[0] / "report.md").is_file()


def test_dask_localcluster_matches_serial(tiny_file, tmp_path):
    """6-11 s here (cluster start-up, worker imports): under the 20 s line, so not marked slow."""
    pytest.importorskip("distributed")
    jobs = plan_sweep([tiny_file], "0:2")
    a = run_sweep(jobs, out=tmp_path / "a", backend="serial", cache=False, report=False)
    d = run_sweep(jobs, out=tmp_path / "d", backend="dask", cache=False, report=False)
    assert d.ok, d.failed
    assert len(d.computed) == 2
    assert _seed_metrics(tmp_path / "a") == _seed_metrics(tmp_path / "d")
    assert (a.folders[0] / "metrics.json").read_bytes() == (d.folders[0] / "metrics.json").read_bytes()


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_dask_scheduler_address_in_other_processes(tiny_file, tmp_path):
    """`--scheduler ADDRESS`: a scheduler and a worker started as separate processes (as on a cluster, here on
    loopback); the sweep connects to the address and gives the serial backend's bytes."""
    pytest.importorskip("distributed")
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                               "--port", str(port), "--no-dashboard"], env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)]
    try:
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", addr, "--nworkers", "1",
                                       "--nthreads", "1", "--no-dashboard", "--host", "127.0.0.1"], env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tmp_path))
        from distributed import Client
        with Client(addr, timeout="30s") as c:
            c.wait_for_workers(1, timeout=60)
        jobs = plan_sweep([tiny_file], "0:2")
        a = run_sweep(jobs, out=tmp_path / "a", backend="serial", cache=False, report=False)
        d = run_sweep(jobs, out=tmp_path / "d", backend="dask", scheduler=addr, cache=False, report=False)
        assert d.ok, d.failed
        assert _seed_metrics(tmp_path / "a") == _seed_metrics(tmp_path / "d")
        assert (a.folders[0] / "metrics.json").read_bytes() == (d.folders[0] / "metrics.json").read_bytes()
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
