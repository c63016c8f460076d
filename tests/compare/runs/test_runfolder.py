"""Run folders (issue 12): names confined under --out, manifest/metrics/report describing the same seeds,
claims so that concurrent runs neither duplicate nor corrupt, a report that repairs the derived files,
and runs or sweeps killed with SIGKILL that leave nothing corrupt and no process behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import compare
from compare.cli import main
from compare.output import runfolder
from compare.output.runfolder import RUN_SCHEMA, RunFolderError, check_schema, claim_owner, release_claim, try_claim
from compare.runs.cases import load_case_text
from compare.runs.study import run_folder
from reference import tiny_case

ROOT = Path(__file__).resolve().parents[3]

TINY = tiny_case("rf_tiny")

# a few seconds per seed: long enough to be killed in the middle
SLOW = TINY.replace('name = "rf_tiny"', 'name = "rf_slow"').replace("epochs = 200", "epochs = 5000") \
    .replace("cleanup_epochs = 50", "cleanup_epochs = 5000").replace("widths = [4]", "widths = [64, 64]") \
    .replace('loss = "hinge"', 'loss = "hinge"\nweight_decay = 0.0')


def _json_files_parse(root: Path) -> int:
    n = 0
    for p in root.rglob("*.json"):
        json.loads(p.read_text())
        n += 1
    return n


def _case(text: str = TINY):
    return load_case_text(text, source="rf.toml")


def test_case_name_override_moves_the_folder(tmp_path):
    case = _case()
    other = case.with_overrides(["case.name=renamed"])
    assert other.name == "renamed"
    assert run_folder(other, tmp_path) == tmp_path / "renamed" / other.hash()
    assert other.hash() != case.hash()
    r = compare.run_case(case, out=tmp_path, overrides=["case.name=renamed"], cache=False, report=False)
    assert r.folder == tmp_path / "renamed" / other.hash()
    assert json.loads((r.folder / "manifest.json").read_text())["case"] == "renamed"


@pytest.mark.parametrize("name", ["..", ".", ".hidden", "a/b", "../x", "a\\b", ""])
def test_case_names_that_leave_out_are_refused(tmp_path, name):
    with pytest.raises(compare.CompareError):
        compare.run_case(_case(), out=tmp_path / "runs", overrides=[f"case.name={json.dumps(name)}"], cache=False)
    assert not (tmp_path / "runs").exists() and list(tmp_path.iterdir()) == []


def _agree(folder: Path, n: int) -> None:
    man = json.loads((folder / "manifest.json").read_text())
    met = json.loads((folder / "metrics.json").read_text())
    rep = (folder / "report.md").read_text()
    assert man["n_seeds"] == n and man["seed_indices"] == list(range(n)) and len(man["seeds"]) == n
    assert met["n_seeds"] == n and met["aggregate"]["n_seeds"] == n
    assert [r["seed_index"] for r in met["per_seed"]] == list(range(n))
    assert f"{n} seed(s) finished of {n} requested" in rep


def test_fewer_seeds_after_more_keeps_manifest_metrics_and_report_in_agreement(tmp_path):
    case = _case()
    r3 = compare.run_case(case, seeds=3, out=tmp_path, cache=False)
    _agree(r3.folder, 3)
    r1 = compare.run_case(case, seeds=1, out=tmp_path, cache=False)
    assert r1.folder == r3.folder and r1.skipped == (0,) and r1.computed == ()
    _agree(r1.folder, 1)
    assert "Not included: 2 finished seed folder(s)" in (r1.folder / "report.md").read_text()
    # the seeds stay on disk: asking for 3 again computes nothing
    r3b = compare.run_case(case, seeds=3, out=tmp_path, cache=False)
    assert r3b.computed == () and r3b.skipped == (0, 1, 2)
    _agree(r3b.folder, 3)
    # `occam report` rebuilds the same three files
    compare.write_report(r3b.folder)
    _agree(r3b.folder, 3)


def test_report_rewrites_a_truncated_metrics_json(tmp_path, capsys):
    r = compare.run_case(_case(), out=tmp_path, cache=False)
    good = json.loads((r.folder / "metrics.json").read_text())
    text = (r.folder / "metrics.json").read_text()
    (r.folder / "metrics.json").write_text(text[: len(text) // 3])
    assert main(["report", str(r.folder)]) == 0
    capsys.readouterr()
    assert json.loads((r.folder / "metrics.json").read_text()) == good


def test_claims_are_exclusive_and_stale_ones_are_broken(tmp_path):
    lock = tmp_path / "x.claim"
    assert try_claim(lock) and claim_owner(lock)["pid"] == os.getpid()
    assert not try_claim(lock)                          # held by a live process (this one)
    release_claim(lock)
    assert not lock.exists()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    lock.write_text(json.dumps({"host": os.uname().nodename, "pid": dead.pid, "start": None, "time": 0}))
    assert try_claim(lock) and claim_owner(lock)["pid"] == os.getpid()    # the dead owner's claim was broken
    release_claim(lock)


def test_a_killed_writers_temporary_files_are_removed_by_the_report(tmp_path, capsys):
    """A writer killed between writing its temporary file and renaming it leaves the temporary file; the
    next report removes it when its writer (named in the file's name) is gone, or when it is older than
    STALE_TEMP_S, and leaves a live writer's alone. A claim is never seen half-written."""
    r = compare.run_case(_case(), out=tmp_path, cache=False, report=False)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    host = runfolder._host_tag()
    seed_dir = next((r.folder / "seeds").iterdir())
    stale = [r.folder / f".report.md.{host}-{dead.pid}.abc123.tmp",
             seed_dir / f".metrics.json.{host}-{dead.pid}.x_1.tmp",
             r.folder / "figures" / ".sizes.png.q.tmp"]           # the last: an old name without its writer
    live = [r.folder / f".report.md.{host}-{os.getpid()}.def456.tmp",
            r.folder / f".report.md.{'1' if host[0] == '0' else '0'}{host[1:]}-{dead.pid}.zz.tmp"]  # another host
    for f in stale + live:
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text("half")
    old = time.time() - runfolder.STALE_TEMP_S - 10
    os.utime(stale[2], (old, old))
    assert main(["report", str(r.folder)]) == 0
    capsys.readouterr()
    assert not any(f.exists() for f in stale) and all(f.exists() for f in live)
    assert runfolder.remove_stale_temps(r.folder) == 0
    # the claim: complete from the moment it exists, and no temporary file left beside it
    lock = tmp_path / "y.claim"
    assert try_claim(lock) and claim_owner(lock)["pid"] == os.getpid()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".y.claim")] == []
    release_claim(lock)


def _occam(*argv: str) -> subprocess.Popen:
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    return subprocess.Popen([sys.executable, "-m", "compare", *argv], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_two_concurrent_runs_share_the_seeds(tmp_path):
    case = tmp_path / "tiny.toml"
    case.write_text(TINY)
    out = tmp_path / "runs"
    argv = ["case", "run", str(case), "--seeds", "4", "--out", str(out), "--no-cache", "--json", "--quiet"]
    procs = [_occam(*argv), _occam(*argv)]
    docs = []
    for p in procs:
        so, se = p.communicate(timeout=300)
        assert p.returncode == 0, se
        docs.append(json.loads(so))
    computed = sorted(docs[0]["computed"] + docs[1]["computed"])
    assert computed == [0, 1, 2, 3]                     # each seed computed exactly once
    folder = Path(docs[0]["folder"])
    _agree(folder, 4)
    assert _json_files_parse(out) > 4
    assert not list(out.rglob("*.claim")) and not list(out.rglob("*.tmp"))


def _wait_for(pred, timeout: float) -> bool:
    t = time.monotonic()
    while time.monotonic() - t < timeout:
        if pred():
            return True
        time.sleep(0.1)
    return False


@pytest.mark.slow
def test_sigkill_during_a_case_run_then_rerun(tmp_path):
    case = tmp_path / "slow.toml"
    case.write_text(SLOW)
    out = tmp_path / "runs"
    argv = ["case", "run", str(case), "--seeds", "2", "--out", str(out), "--no-cache", "--quiet", "--json"]
    p = _occam(*argv)
    assert _wait_for(lambda: list(out.rglob("*.claim")), 120), p.stderr.read() if p.poll() is not None else ""
    time.sleep(0.5)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert list(out.rglob("*.claim"))                   # left behind by the killed run: stale
    _json_files_parse(out)                              # nothing half-written
    p2 = _occam(*argv)
    so, se = p2.communicate(timeout=600)
    assert p2.returncode == 0, se
    doc = json.loads(so)
    assert len(doc["computed"]) + len(doc["skipped"]) == 2
    _agree(Path(doc["folder"]), 2)
    assert not list(out.rglob("*.claim")) and not list(out.rglob("*.tmp"))


def _children(pid: int) -> set[int]:
    """Every descendant process of ``pid`` (Linux /proc)."""
    kids: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            kids.setdefault(ppid, []).append(int(d.name))
    out, todo = set(), [pid]
    while todo:
        for c in kids.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_of_a_joblib_sweep_leaves_no_worker(tmp_path):
    case = tmp_path / "slow.toml"
    case.write_text(SLOW)
    out = tmp_path / "runs"
    p = _occam("sweep", str(case), "--seeds", "4", "--backend", "joblib", "--n-jobs", "2", "--out", str(out),
               "--no-cache", "--quiet")
    assert _wait_for(lambda: len(list(out.rglob("*.claim"))) >= 2, 180), \
        p.stderr.read() if p.poll() is not None else "no claims"
    workers = {c for c in _children(p.pid) if _running(c)}
    assert workers
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert _wait_for(lambda: not any(_running(c) for c in workers), 10), \
        [c for c in workers if _running(c)]
    _json_files_parse(out)
    # a rerun finishes the sweep: nothing lost, nothing corrupt
    p2 = _occam("sweep", str(case), "--seeds", "4", "--out", str(out), "--no-cache", "--quiet")
    so, se = p2.communicate(timeout=900)
    assert p2.returncode == 0, se
    folder = next(out.glob("rf_slow/*"))
    met = json.loads((folder / "metrics.json").read_text())
    assert met["aggregate"]["n_seeds"] == 4 and not list(out.rglob("*.claim"))


def test_schema_in_every_run_folder_file_and_a_newer_one_is_refused(tmp_path, capsys):
    r = compare.run_case(_case(), out=tmp_path, cache=False, report=False)
    seed_metrics = next((r.folder / "seeds").iterdir()) / "metrics.json"
    for path in (r.folder / "manifest.json", r.folder / "metrics.json", seed_metrics):
        assert json.loads(path.read_text())["schema"] == RUN_SCHEMA == 1
    # written before the key existed: read as schema 1
    for path in (r.folder / "manifest.json", seed_metrics):
        doc = json.loads(path.read_text())
        del doc["schema"]
        path.write_text(json.dumps(doc))
    assert main(["report", str(r.folder)]) == 0
    assert (r.folder / "report.md").is_file()
    capsys.readouterr()
    # a newer schema in any of the files: one line naming the file, nothing rewritten
    for path in (r.folder / "manifest.json", seed_metrics, r.folder / "metrics.json"):
        before = path.read_text()
        path.write_text(json.dumps({**json.loads(before), "schema": RUN_SCHEMA + 1}))
        (r.folder / "report.md").unlink(missing_ok=True)
        assert main(["report", str(r.folder)]) != 0
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and str(path) in err and f"schema {RUN_SCHEMA + 1}" in err
        assert not (r.folder / "report.md").exists()
        with pytest.raises(compare.CompareError, match="newer"):
            compare.write_report(r.folder)
        path.write_text(before)
    assert main(["report", str(r.folder)]) == 0


def test_check_schema_reads_a_missing_key_as_one_and_refuses_nonsense(tmp_path):
    assert check_schema({}, tmp_path / "m.json") == 1 == check_schema({"schema": 1}, tmp_path / "m.json")
    for bad in ("1", True, 0, 1.0):
        with pytest.raises(RunFolderError, match="m.json"):
            check_schema({"schema": bad}, tmp_path / "m.json")


def _files(folder: Path) -> dict[str, bytes]:
    """Every file of a run folder (path relative to it -> bytes), claims and temporary files left out."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.endswith((".claim", ".tmp", ".break"))}


_DERIVED = ("report.md", "metrics.json", "figures", "circuits")      # what `occam report` (re)writes


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_sigkill_during_a_report_leaves_old_or_new_files_and_a_rerun_repairs(tmp_path):
    """`occam report` killed with SIGKILL at many moments of its writing (from the moment it holds the
    folder's claim to its end, on the clock of a clean run): each file is then the old complete version or
    the new one (or absent, when it was absent before), never a part; leftover temporary files and the
    claim do not stop a rerun, which writes the same report as a clean run and removes them."""
    r = compare.run_case(_case(), out=tmp_path, cache=False)
    folder = r.folder
    old = _files(folder)
    # a clean report: the new version of every file, and how long its writing takes after the claim
    p = _occam("report", str(folder))
    assert _wait_for(lambda: (folder / ".finalize.claim").exists() or p.poll() is not None, 120)
    t0 = time.monotonic()
    so, se = p.communicate(timeout=300)
    window = time.monotonic() - t0
    assert p.returncode == 0, se
    new = _files(folder)
    assert set(new) == set(old) and "report.md" in new
    killed = 0
    for i, frac in enumerate((0.0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8)):
        if i % 2:                        # the derived files absent: each must be absent or complete afterwards
            for name in _DERIVED:
                target = folder / name
                if target.is_dir():
                    for f in target.iterdir():
                        f.unlink()
                else:
                    target.unlink(missing_ok=True)
        before = _files(folder)
        p = _occam("report", str(folder))
        # until this report holds the folder's claim (a killed one's stale claim may still be there)
        assert _wait_for(lambda: (claim_owner(folder / ".finalize.claim") or {}).get("pid") == p.pid
                         or p.poll() is not None, 120)
        time.sleep(frac * window)
        kids = {c for c in _children(p.pid) if _running(c)}
        p.send_signal(signal.SIGKILL)
        p.communicate(timeout=60)
        killed += p.returncode == -signal.SIGKILL
        assert _wait_for(lambda: not any(_running(c) for c in kids), 10), "a child of the killed report runs on"
        after = _files(folder)
        assert set(after) <= set(new), set(after) - set(new)
        for name, data in after.items():
            assert data in (before.get(name), new[name]), f"kill {i} at {frac:.2f}: {name} is neither old nor new"
        _json_files_parse(folder)
        for t in folder.rglob("*.tmp"):                     # a killed writer's temporary file: hidden, beside
            assert t.name.startswith(".") and any(t.name.startswith(f".{Path(n).name}.") for n in new), t
    assert killed >= 3, f"only {killed} kills landed while the report ran"
    p = _occam("report", str(folder))
    so, se = p.communicate(timeout=300)
    assert p.returncode == 0, se
    assert _files(folder) == new                             # the same report, figures and metrics as a clean run
    assert not list(folder.rglob("*.tmp")) and not list(folder.rglob("*.claim"))
