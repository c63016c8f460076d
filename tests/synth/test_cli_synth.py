"""The `synth` command line (`synth.cli`): real values through `main([...])`, one-line errors with exit
status 2, the `add_commands` contract used by `occam synth`, and one `python -m synth` subprocess."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

import synth
from synth.cli import add_commands, main, run

ROOT = Path(__file__).resolve().parents[2]


def _json(capsys, argv):
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# ------------------------------------------------------------------------------------------------------
# table
# ------------------------------------------------------------------------------------------------------

def test_table_parity_json(capsys):
    d = _json(capsys, ["table", "0x96", "--inputs", "3", "--json"])
    assert d["command"] == "table" and d["basis"] == "xag" and d["mode"] == "formula"
    assert d["min_size"] == 2 and d["exact"] is True
    assert d["shortest"] == ["xor(x0, xor(x1, x2))"]
    assert d["shortest_bits"][0] == pytest.approx(synth.Program.parse("xor(x0, xor(x1, x2))",
                                                                      basis="xag").bits, abs=1e-3)
    assert d["frontier"][-1] == {"size": 2, "errors": 0, "program": "xor(x0, xor(x1, x2))"}
    assert d["frontier"][0]["size"] == 0 and d["frontier"][0]["errors"] == 4
    assert d["seconds"] >= 0 and d["table"] == "0x96" and d["n_inputs"] == 3


def test_table_number_forms_agree(capsys):
    results = [_json(capsys, ["table", t, "--inputs", "3", "--json"])["shortest"]
               for t in ("0x96", "0b10010110", "150", "0150")]
    assert results == [["xor(x0, xor(x1, x2))"]] * 4


def test_table_mig_majority_and_circuit_mode(capsys):
    d = _json(capsys, ["table", "0xe8", "--inputs", "3", "--basis", "mig", "--json"])
    assert d["min_size"] == 1 and d["shortest"] == ["maj(x0, x1, x2)"]
    d = _json(capsys, ["table", "0x96", "--inputs", "3", "--mode", "circuit", "--json"])
    assert d["mode"] == "circuit" and d["min_size"] == 2 and d["exact"] is True


def test_table_care_mask_gives_posterior(capsys):
    # parity known on the first 7 points; the 8th, (1, 1, 1), is held out
    d = _json(capsys, ["table", "0x96", "--inputs", "3", "--care", "0x7f", "--json", "--top-k", "3"])
    assert d["care"] == "0x7f" and d["queries"] == [[1, 1, 1]]
    assert d["shortest"] == ["xor(x0, xor(x1, x2))"]
    assert len(d["posterior"]) == 1 and 0.5 < d["posterior"][0] <= 1.0
    assert 0.0 <= d["truncation_mass"] < 1e-3


def test_table_text_output(capsys):
    assert main(["table", "0x96", "--inputs", "3"]) == 0
    out = capsys.readouterr().out
    assert "min size 2 (exact: proven minimal)" in out
    assert "xor(x0, xor(x1, x2))" in out and "frontier" in out and "14.571" in out


def test_table_budget_reports_not_exact(capsys):
    # one unit of work: the search stops at once, but still returns proven bounds and a consistent program
    d = _json(capsys, ["table", "0x6996", "--inputs", "4", "--budget", "1", "--json", "--quiet"])
    assert d["exact"] is False and d["notes"]
    assert d["lower_bound"] <= 3 <= d["min_size"] and d["shortest"]
    assert synth.Program.parse(d["shortest"][0], 4).truth_table() == 0x6996


# ------------------------------------------------------------------------------------------------------
# examples
# ------------------------------------------------------------------------------------------------------

PARITY7 = "x0,x1,x2,y\n0,0,0,0\n1,0,0,1\n0,1,0,1\n1,1,0,0\n0,0,1,1\n1,0,1,0\n0,1,1,0\n"


def test_examples_posterior(capsys, tmp_path):
    data = _write(tmp_path / "d.csv", PARITY7)
    q = _write(tmp_path / "q.csv", "1,1,1\n")
    d = _json(capsys, ["examples", str(data), "--queries", str(q), "--json"])
    assert d["n_examples"] == 7 and d["n_inputs"] == 3
    assert d["min_size"] == 2 and d["shortest"] == ["xor(x0, xor(x1, x2))"] and d["exact"] is True
    assert d["queries"] == [[1, 1, 1]]
    assert d["posterior"][0] == pytest.approx(1.0, abs=1e-3)   # the one size-2 completion is parity
    assert 0 <= d["truncation_mass"] < 1e-3
    assert d["approximation"] == synth.posterior.MINIMAL_TERM


def test_examples_ties_split_the_posterior(capsys, tmp_path):
    data = _write(tmp_path / "d.csv", "0,0,0,0\n1,0,0,1\n0,1,0,1\n1,1,0,0\n0,0,1,1\n")
    q = _write(tmp_path / "q.csv", "1,0,1\n0,1,1\n1,1,1\n")
    d = _json(capsys, ["examples", str(data), "--queries", str(q), "--json"])
    assert d["min_size"] == 2 and len(d["shortest"]) == 4
    assert "xor(x0, xor(x1, x2))" in d["shortest"] and "or(x2, xor(x0, x1))" in d["shortest"]
    assert len(d["posterior"]) == 3 and all(0.45 < p < 0.55 for p in d["posterior"])
    # text form: the posterior table and the approximation are printed
    assert main(["examples", str(data), "--queries", str(q)]) == 0
    out = capsys.readouterr().out
    assert "P(y=1)" in out and "truncation mass" in out and "minimal-program term" in out


def test_examples_without_queries(capsys, tmp_path):
    data = _write(tmp_path / "d.csv", "0,0,0\n0,1,1\n1,0,1\n1,1,1\n")
    d = _json(capsys, ["examples", str(data), "--json", "--basis", "aon"])
    assert d["shortest"] == ["or(x0, x1)"] and d["posterior"] is None and d["queries"] == []


# ------------------------------------------------------------------------------------------------------
# census
# ------------------------------------------------------------------------------------------------------

def test_census_xag_n3(capsys):
    d = _json(capsys, ["census", "--inputs", "3", "--basis", "xag", "--json"])
    assert d["histogram"] == {"0": 8, "1": 30, "2": 114, "3": 80, "4": 24}
    assert d["exact"] is True and d["functions"] == 256 and d["unreached"] == 0
    assert sum(d["npn_histogram"].values()) == 14 and d["class_kind"] == "NPN"
    c = _json(capsys, ["census", "--inputs", "3", "--basis", "xag", "--mode", "circuit", "--json"])
    assert c["histogram"] == d["histogram"] and c["mode"] == "circuit"


def test_census_text(capsys):
    assert main(["census", "--inputs", "2", "--basis", "full"]) == 0
    out = capsys.readouterr().out
    assert "exact: yes" in out and "NPN classes" in out
    assert out.splitlines()[-1].split()[:2] == ["total", "16"]


# ------------------------------------------------------------------------------------------------------
# parse
# ------------------------------------------------------------------------------------------------------

def test_parse_json(capsys):
    d = _json(capsys, ["parse", "xor(x0, and(x2, x1))", "--json"])
    assert d["truth_table"] == "0x6a" and d["size"] == 2 and d["depth"] == 2
    assert d["support"] == [0, 1, 2] and d["n_inputs"] == 3
    assert d["program"] == "xor(x0, and(x1, x2))"            # canonical text
    assert d["sympy"] == "x0 ^ (x1 & x2)"
    assert d["dot"].startswith("digraph") and '"t0" -> "t1"' in d["dot"]
    assert d["bits"] == pytest.approx(synth.Program.parse("xor(x0, and(x1, x2))").bits, abs=1e-6)


def test_parse_basis_inputs_and_shared_text(capsys):
    d = _json(capsys, ["parse", "t0 = and(x1, x2); out = or(xor(x0, t0), t0)", "--inputs", "4",
                       "--basis", "aoxn", "--json"])
    assert d["program"] == str(synth.Program.parse("t0 = and(x1, x2); out = or(xor(x0, t0), t0)"))
    assert d["basis"] == "aoxn" and d["size"] == 3 and d["is_tree"] is False and d["n_inputs"] == 4
    assert int(d["truth_table"], 16) == 0xeaea
    assert main(["parse", "xor(x0, and(x1, x2))"]) == 0
    out = capsys.readouterr().out
    assert "0x6a" in out and "x0 ^ (x1 & x2)" in out and "digraph" in out


# ------------------------------------------------------------------------------------------------------
# errors: one line on stderr, exit 2, no traceback
# ------------------------------------------------------------------------------------------------------

CONTRA = "0,1,0\n0,1,1\n"


@pytest.mark.parametrize("argv, needle", [
    (["parse", "xor(x0, "], "line 1"),                                   # malformed program text
    (["parse", "foo(x0, x1)"], "unknown gate 'foo'"),
    (["parse", "and(x0)"], "takes 2 argument"),                          # wrong arity
    (["parse", ""], "empty program"),
    (["parse", "maj(x0, x1, x2)", "--basis", "xag"], "not in basis"),
    (["examples", "{contra}"], "two outputs"),                           # one input, two outputs
    (["examples", "{empty}"], "empty data"),
    (["examples", "{tmp}/missing.csv"], "not found"),                    # missing file
    (["examples", "{data}", "--queries", "{tmp}/missing.csv"], "not found"),
    (["table", "0x96", "--inputs", "30"], "too large"),                  # n too large for a table
    (["table", "0x96", "--inputs", "3", "--basis", "nope"], "unknown basis 'nope'"),
    (["census", "--inputs", "3", "--basis", "nope"], "unknown basis 'nope'"),
    (["table", "0x96", "--inputs", "3", "--mode", "tree"], "invalid choice"),  # bad mode
    (["table", "0x96", "--inputs", "3", "--budget", "-1"], "whole number of work units"),
    (["table", "0x96", "--inputs", "3", "--budget", "1e-9"], "whole number of work units"),
    (["census", "--inputs", "3", "--budget", "-2"], "whole number of work units"),
    (["table", "0x96", "--inputs", "3", "--budget-s", "-1"], "positive number of seconds"),
    (["table", "0xzz", "--inputs", "3"], "TABLE must be an integer"),    # bad number
    (["table", "0x96", "--inputs", "three"], "--inputs must be an integer"),
    (["table", "0x1ff", "--inputs", "3"], "does not fit"),
    (["table", "0x96"], "required"),
    (["table", "0x96", "--inputs", "3", "--frobnicate"], "unrecognized"),
    (["census", "--inputs", "9"], "n_inputs"),
    (["nonsense"], "invalid choice"),
    ([], "required"),
])
def test_bad_input_exits_2_with_one_line(capsys, tmp_path, argv, needle):
    files = {"contra": _write(tmp_path / "contra.csv", CONTRA), "empty": _write(tmp_path / "empty.csv", ""),
             "data": _write(tmp_path / "data.csv", PARITY7), "tmp": tmp_path}
    argv = [a.format(**files) for a in argv]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("occam: error: ") and needle in lines[0]
    assert "Traceback" not in err


# ------------------------------------------------------------------------------------------------------
# the add_commands contract (how `occam synth ...` embeds these commands)
# ------------------------------------------------------------------------------------------------------

def test_add_commands_under_a_plain_parent(capsys):
    top = argparse.ArgumentParser(prog="occam")
    groups = top.add_subparsers(dest="group", required=True)
    add_commands(groups.add_parser("synth").add_subparsers(dest="synth_command", required=True))
    args = top.parse_args(["synth", "table", "0x96", "--inputs", "3", "--json"])
    assert run(args) == 0
    assert json.loads(capsys.readouterr().out)["min_size"] == 2
    args = top.parse_args(["synth", "parse", "and(x0)"])              # library error -> 2, one line
    assert run(args) == 2
    assert capsys.readouterr().err.startswith("occam: error: ")
    with pytest.raises(SystemExit) as e:                               # usage error in a subcommand
        top.parse_args(["synth", "census", "--inputs", "3", "--mode", "tree"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("occam: error: ")


def test_help_exits_0(capsys):
    assert main(["table", "--help"]) == 0
    assert "--inputs" in capsys.readouterr().out


# ------------------------------------------------------------------------------------------------------
# python -m synth
# ------------------------------------------------------------------------------------------------------

def test_python_m_synth_subprocess():
    proc = subprocess.run([sys.executable, "-m", "synth", "parse", "xor(x0, x1)", "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    d = json.loads(proc.stdout)
    assert d["truth_table"] == "0x6" and d["size"] == 1 and d["program"] == "xor(x0, x1)"
