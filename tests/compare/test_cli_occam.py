"""The occam CLI: case / compare / report groups; user mistakes are one line on stderr with status 2."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from compare.cli import main
from synth import cli as synth_cli
from reference import tiny_case

ROOT = Path(__file__).resolve().parents[2]
TINY = tiny_case("cli_tiny")


def _run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_case_list(capsys):
    code, out, err = _run(capsys, "case", "list", "--json")
    assert code == 0
    names = {r["name"] for r in json.loads(out)}
    assert {"sparse_parity", "modular_addition", "random_function"} <= names


def test_compare_programs(capsys):
    code, out, _ = _run(capsys, "compare", "programs", "xor(x0, x1)", "xnor(x0, not(x1))", "--inputs", "2")
    assert code == 0 and "equivalent" in out
    code, out, _ = _run(capsys, "compare", "programs", "and(x0, x1)", "or(x0, x1)", "--json")
    d = json.loads(out)
    assert code == 0 and d["agreement"] == 0.5 and not d["equivalent"]


def test_case_run_report_and_compare_net(capsys, tmp_path):
    case = tmp_path / "tiny.toml"
    case.write_text(TINY)
    code, out, err = _run(capsys, "case", "run", str(case), "--out", str(tmp_path / "runs"), "--json")
    assert code == 0, err
    d = json.loads(out)
    folder = Path(d["folder"])
    assert (folder / "report.md").is_file() and err == ""      # stderr is not a terminal: no progress bars
    code, out, err = _run(capsys, "case", "run", str(case), "--out", str(tmp_path / "runs"), "--quiet")
    assert code == 0 and err == "" and "1 finished earlier" in out
    (folder / "report.md").unlink()
    code, out, _ = _run(capsys, "report", str(folder))
    assert code == 0 and (folder / "report.md").is_file()
    ckpt = next((tmp_path / "runs" / ".models").glob("*.pt"))
    code, out, err = _run(capsys, "compare", "net", str(ckpt), "--case", str(case), "--quiet")
    assert code == 0, err
    assert "basis xag" in out


@pytest.mark.parametrize("argv,pattern", [
    (["case", "run", "no_such_case"], "not found"),
    (["case", "run", "sparse_parity", "--seeds", "0"], "--seeds must be an integer >= 1"),
    (["case", "run", "sparse_parity", "--set", "train.lr=-1"], r"\[train\] lr: must be > 0"),
    (["case", "run", "sparse_parity", "--set", "train.nope=1"], "unknown key 'nope'"),
    (["case", "run", "sparse_parity", "--set", "trainlr"], "expected section.key=value"),
    (["case", "run", "sparse_parity", "--set", "synth.bases=['zz']"], "unknown basis 'zz'"),
    (["case", "run", "sparse_parity", "--set", "synth.budget=0"], r"\[synth\] budget: must be a whole number of work"),
    (["case", "run", "sparse_parity", "--set", "synth.budget=2.5"], r"\[synth\] budget: must be a whole number"),
    (["case", "run", "sparse_parity", "--set", "extract.budget_s=-1"], r"\[extract\] budget_s: must be > 0"),
    (["synth", "table", "0x96", "--inputs", "3", "--budget", "1e-9"], "--budget must be a whole number of work"),
    (["synth", "table", "0x96", "--inputs", "3", "--budget-s", "0"], "--budget-s must be a positive number"),
    (["compare", "programs", "xor(x0,", "x1"], "cannot parse program A"),
    (["compare", "programs", "x0", "x1", "--inputs", "40"], "--inputs must be in 1..20"),
    (["compare", "net", "/nonexistent.pt", "--case", "sparse_parity"], "no such checkpoint"),
    (["report", "/nonexistent/run"], "not a run folder"),
    (["case", "list", "--dir", "/nonexistent"], "not a folder"),
])
def test_user_mistakes_are_one_line_exit_2(capsys, tmp_path, argv, pattern):
    import re
    if argv[0] == "case" and argv[1] == "run":
        argv = argv + ["--out", str(tmp_path)]
    code, out, err = _run(capsys, *argv)
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("occam: error: ") and re.search(pattern, err), err
    assert "Traceback" not in err
    assert not any(tmp_path.iterdir())                        # nothing half-written


def test_bad_case_file_via_cli(capsys, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(TINY.replace("lr = 0.05", "lr = 'x'"))
    code, _, err = _run(capsys, "case", "run", str(bad), "--out", str(tmp_path / "runs"))
    assert code == 2 and f"{bad}:" in err and "[train] lr" in err
    assert not (tmp_path / "runs").exists()


def test_synth_table_under_a_work_budget_gives_bounds(capsys):
    """Issue 9: `occam synth table 0x6996 --inputs 4 --basis aig --mode circuit` ran 14 minutes and printed
    "sizes up to -1". Now the exact aig census answers it (9 gates: three XORs of three ANDs); a search the
    work budget stops (parity of 5, 12 gates) answers with proven bounds and a consistent circuit."""
    argv = ["synth", "table", "0x6996", "--inputs", "4", "--basis", "aig", "--mode", "circuit", "--budget", "2e6"]
    code, out, _ = _run(capsys, *argv, "--json", "--quiet")
    d = json.loads(out)
    assert code == 0 and d["exact"] is True and d["min_size"] == d["lower_bound"] == 9 and d["deterministic"]
    argv = ["synth", "table", "0x96696996", "--inputs", "5", "--basis", "aig", "--mode", "circuit",
            "--budget", "2e6"]
    code, out, _ = _run(capsys, *argv, "--json", "--quiet")
    d = json.loads(out)
    assert code == 0 and d["exact"] is False and d["deterministic"] is True
    assert 1 <= d["lower_bound"] <= 12 <= d["min_size"] and d["shortest"]
    assert d["stats"]["budget"]["work"] == 2_000_000 and d["stats"]["budget"]["fired"] == "work"
    code, text, _ = _run(capsys, *argv, "--quiet")
    assert code == 0 and "proven >= " in text and "stopped by the work limit" in text and "-1" not in text


def test_case_budget_keys(tmp_path):
    from compare.runs.cases import load_case_text
    c = load_case_text(TINY, source="t.toml", overrides=["synth.budget=5e6", "extract.budget_s=30"])
    assert c.config["synth"]["budget"] == 5_000_000 and isinstance(c.config["synth"]["budget"], int)
    assert c.config["synth"]["budget_s"] is None and c.config["extract"]["budget_s"] == 30.0
    # an old file with only budget_s: the default work budget, budget_s read as the valve
    old = load_case_text(TINY.replace("[synth]", "[synth]\nbudget_s = 5"), source="old.toml")
    assert old.config["synth"]["budget_s"] == 5.0 and old.config["synth"]["budget"] >= 1
    assert c.hash() == load_case_text(TINY, source="t.toml", overrides=["synth.budget=5000000",
                                                                          "extract.budget_s=30.0"]).hash()


def test_synth_group_still_works(capsys):
    code, out, _ = _run(capsys, "synth", "parse", "xor(x0, and(x1, x2))", "--inputs", "3")
    assert code == 0 and "0x6a" in out.lower() or "size" in out


def test_python_dash_m_compare():
    res = subprocess.run([sys.executable, "-m", "compare", "compare", "programs", "x0", "x0"],
                         capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert res.returncode == 0 and "equivalent" in res.stdout


def test_a_closed_pipe_is_not_an_error():
    """``occam case list | head``: the reader goes away before the output is written (here: its end of
    the pipe is closed at once); no traceback, status 0."""
    code = "import sys; from compare.cli import main; sys.exit(main())"
    proc = subprocess.Popen([sys.executable, "-c", code, "case", "list"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    proc.stdout.close()
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 0 and err == ""


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal, so the progress bars draw on it."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("quiet", [False, True])
def test_study_bootstrap_bar_and_quiet(capsys, monkeypatch, tmp_path, quiet):
    """`occam prior` shows its bootstrap on a bar of its own ("prior bootstrap", up to --bootstrap) on a
    terminal; with --quiet nothing at all reaches stderr. The output is the same either way."""
    term = _Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    monkeypatch.setitem(synth_cli.ProgressBar.__init__.__kwdefaults__, "delay", 0.0)   # draw at once
    argv = ["prior", "--n", "3", "--widths", "8", "--samples", "2000", "--bases", "xag", "--measures", "",
            "--bootstrap", "30", "--out", str(tmp_path)]
    code = main(argv + (["--quiet"] if quiet else []))
    out = capsys.readouterr().out
    assert code == 0 and "Spearman" in out
    shown = term.getvalue()
    if quiet:
        assert shown == ""
    else:
        assert "prior bootstrap:" in shown and "/30 [" in shown and "sampled" in shown     # bar of 30, with ETA
