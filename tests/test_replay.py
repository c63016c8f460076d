"""Replay of malformed inputs (issue 12) against the ``occam`` CLI and the public API.

Every CLI input must exit with status 2 and print exactly one line ``occam: error: ...`` on stderr that
names what was wrong and where, with no traceback and nothing half-written under ``--out``; every API input
must raise the project's own error type (`synth.SynthError` / `compare.CompareError`) with a one-line
message. Each row is (id, input, expected fragment of the message). Valid edge cases named in the issue
(an Excel byte-order mark, ``train_fraction = 1.0``, deeply nested programs) must give the right answer.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import compare
import synth
from compare import CompareError
from compare.cli import main
from compare.runs.cases import Case, load_case_text
from compare.runs.study import run_folder
from synth import Program, Spec, SynthError
from reference import tiny_case

TINY = tiny_case("replay_tiny")

CHAIN_3000 = "; ".join(["t0 = not(x0)"] + [f"t{i} = not(t{i - 1})" for i in range(1, 3000)])


def _case(text: str, name: str = "case.toml"):
    """An argv item: a case file written into tmp_path with ``text``."""
    def make(tmp: Path) -> str:
        p = tmp / name
        p.write_text(text)
        return str(p)
    return make


def _tiny(old: str, new: str, name: str = "case.toml"):
    assert old in TINY
    return _case(TINY.replace(old, new), name)


def _file(content: str | bytes, name: str = "data.csv"):
    def make(tmp: Path) -> str:
        p = tmp / name
        p.write_bytes(content if isinstance(content, bytes) else content.encode())
        return str(p)
    return make


def _path(rel: str):
    return lambda tmp: str(tmp / rel)


def _folder(rel: str):
    """An argv item: an empty folder made under tmp_path."""
    def make(tmp: Path) -> str:
        (tmp / rel).mkdir(parents=True, exist_ok=True)
        return str(tmp / rel)
    return make


def _net(n_inputs: int, name: str = "net.pt"):
    """An argv item: the state dict of a small network of ``n_inputs`` inputs, saved under tmp_path."""
    def make(tmp: Path) -> str:
        import torch
        torch.save(compare.MLP(n_inputs, [4]).state_dict(), tmp / name)
        return str(tmp / name)
    return make


def _damaged_run(damage: str):
    """A copy of a finished run folder with one file damaged ("manifest", "seed", "history", ...)."""
    def make(tmp: Path) -> str:
        dst = tmp / "damaged"
        shutil.copytree(_FINISHED["folder"], dst)
        seed = next((dst / "seeds").iterdir())
        if damage == "manifest-truncated":
            text = (dst / "manifest.json").read_text()
            (dst / "manifest.json").write_text(text[: len(text) // 2])
        elif damage == "manifest-no-config":
            man = json.loads((dst / "manifest.json").read_text())
            del man["config"]
            (dst / "manifest.json").write_text(json.dumps(man))
        elif damage == "manifest-list":
            (dst / "manifest.json").write_text("[1, 2]")
        elif damage == "seed-truncated":
            text = (seed / "metrics.json").read_text()
            (seed / "metrics.json").write_text(text[:100])
        elif damage == "seed-empty":
            (seed / "metrics.json").write_text("")
        elif damage == "seed-no-comparisons":
            m = json.loads((seed / "metrics.json").read_text())
            del m["comparisons"]
            (seed / "metrics.json").write_text(json.dumps(m))
        elif damage == "seed-verdict-number":
            m = json.loads((seed / "metrics.json").read_text())
            m["comparisons"]["xag"]["verdict"] = 3
            (seed / "metrics.json").write_text(json.dumps(m))
        elif damage == "history-truncated":
            (seed / "history.json").write_text('{"epoch": [1, 2')
        elif damage == "seed-binary":
            (seed / "metrics.json").write_bytes(b"\xff\xfe\x00garbage")
        elif damage == "seed-of-other-case":        # a seed folder copied from another case's run folder
            m = json.loads((seed / "metrics.json").read_text())
            m["case"] = "other_case"
            (seed / "metrics.json").write_text(json.dumps(m))
        elif damage == "seed-of-other-run":         # ... from a run of the case with another run.seed
            m = json.loads((seed / "metrics.json").read_text())
            m["seed"] += 1
            (seed / "metrics.json").write_text(json.dumps(m))
        elif damage == "no-seeds":
            shutil.rmtree(seed)
        return str(dst)
    return make


_FINISHED: dict = {}


@pytest.fixture(scope="module", autouse=True)
def finished_run(tmp_path_factory):
    """One finished run of the tiny case (a few seconds), copied and damaged by the report rows."""
    out = tmp_path_factory.mktemp("finished")
    r = compare.run_case(load_case_text(TINY, source="tiny.toml"), out=out, cache=False)
    _FINISHED["folder"] = r.folder
    return r


# (id, argv: items are strings or makers tmp_path -> string, fragment the one error line must contain)
CLI = [
    # -- named in issue 12 ----------------------------------------------------------------------------
    ("csv-first-row-fraction", ["synth", "examples", _file("0.5,1,1\n0,0,0\n")], "data.csv, line 1, column 1"),
    ("csv-int-above-2^63", ["synth", "examples", _file("x0,x1,y\n0,0,99999999999999999999999\n")],
     "data.csv, line 2, column 3"),
    ("parse-index-2^66", ["synth", "parse", "x99999999999999999999"], "MAX_INPUTS"),
    ("parse-index-10^7", ["synth", "parse", "x10000000"], "MAX_INPUTS"),
    ("programs-modulus-10^6", ["compare", "programs", "add(a,b)", "mul(a,b)", "--p", "1000000"], "MAX_MODULUS"),
    ("case-modulus-10^5", ["case", "run", _tiny('target = "and"\nparams = { n = 3, k = 2 }',
                                                'target = "add"\nparams = { p = 100000 }')], "p=100000"),
    ("case-widths-200000", ["case", "run", _tiny("widths = [4]", "widths = [200000, 200000]")],
     "MAX_PARAMETERS"),
    ("prior-samples-1e99", ["prior", "--samples", "1e99"], "--samples"),
    ("prior-samples-inf", ["prior", "--samples", "inf"], "--samples"),
    ("set-lr-inf", ["case", "run", _case(TINY), "--set", "train.lr=inf"], "[train] lr"),
    ("file-sigma-w-inf", ["case", "run", _tiny("widths = [4]", "widths = [4]\nsigma_w = inf")], "sigma_w"),
    ("params-fractional", ["case", "run", _tiny("params = { n = 3, k = 2 }", "params = { n = 4.7, k = 2.9 }")],
     "parameter n must be an integer, got 4.7"),
    ("case-name-dotdot", ["case", "run", _tiny('name = "replay_tiny"', 'name = ".."')], "'..'"),
    ("set-name-dotdot", ["case", "run", _case(TINY), "--set", "case.name=.."], "'..'"),
    ("set-name-slash", ["case", "run", _case(TINY), "--set", "case.name=a/b"], "'a/b'"),
    ("out-is-a-file", ["case", "run", _case(TINY), "--out", _file("x", "plain_file")], "is a file, not a folder"),
    ("report-manifest-truncated", ["report", _damaged_run("manifest-truncated")], "manifest.json: damaged or truncated"),
    ("report-manifest-no-config", ["report", _damaged_run("manifest-no-config")], "manifest.json: damaged manifest: no key 'config'"),
    ("report-manifest-list", ["report", _damaged_run("manifest-list")], "manifest.json: damaged manifest"),
    ("report-seed-truncated", ["report", _damaged_run("seed-truncated")], "metrics.json: damaged or truncated"),
    ("report-seed-empty", ["report", _damaged_run("seed-empty")], "metrics.json: damaged or truncated"),
    ("report-seed-no-comparisons", ["report", _damaged_run("seed-no-comparisons")], "no key 'comparisons'"),
    ("report-seed-verdict-number", ["report", _damaged_run("seed-verdict-number")], "comparisons.xag.'verdict'"),
    ("report-history-truncated", ["report", _damaged_run("history-truncated")], "history.json: damaged or truncated"),
    ("report-seed-not-utf8", ["report", _damaged_run("seed-binary")], "metrics.json: damaged"),
    ("report-not-a-run", ["report", _path("nowhere")], "not a run folder"),
    # -- more malformed input ---------------------------------------------------------------------------
    ("seeds-0", ["case", "run", _case(TINY), "--seeds", "0"], "--seeds must be an integer >= 1"),
    ("seeds-negative", ["case", "run", _case(TINY), "--seeds", "-3"], "--seeds must be an integer >= 1"),
    ("seeds-too-many", ["case", "run", _case(TINY), "--set", "run.seeds=100000"], "at most 1000"),
    ("case-missing", ["case", "run", "no_such_case_anywhere"], "not found"),
    ("set-unknown-key", ["case", "run", _case(TINY), "--set", "train.nope=1"], "unknown key 'nope'"),
    ("set-no-equals", ["case", "run", _case(TINY), "--set", "trainlr"], "expected section.key=value"),
    ("set-epochs-fraction", ["case", "run", _case(TINY), "--set", "train.epochs=2.5"], "epochs"),
    ("case-bad-toml", ["case", "run", _case("[case\nname = 1")], "invalid TOML"),
    ("case-unknown-section", ["case", "run", _case(TINY + "\n[nope]\nx = 1\n")], "unknown section"),
    ("case-train-fraction-0", ["case", "run", _tiny("train_fraction = 0.75", "train_fraction = 0")], "train_fraction"),
    ("case-unknown-basis", ["case", "run", _tiny('bases = ["xag"]', 'bases = ["nope"]')], "nope"),
    ("case-not-utf8", ["case", "run", _file(b"\xff\xfe[case]\n", "bad.toml")], "bad.toml"),
    ("table-budget-tiny", ["synth", "table", "0x96", "--inputs", "3", "--budget", "1e-9"], "--budget"),
    ("table-budget-s-nan", ["synth", "table", "0x96", "--inputs", "3", "--budget-s", "nan"], "--budget-s"),
    ("table-inputs-0", ["synth", "table", "0x96", "--inputs", "0"], "--inputs"),
    ("table-not-a-number", ["synth", "table", "zz", "--inputs", "3"], "TABLE"),
    ("examples-missing-file", ["synth", "examples", _path("none.csv")], "none.csv"),
    ("examples-semicolons", ["synth", "examples", _file("0;1;1\n")], "commas"),
    ("examples-ragged", ["synth", "examples", _file("0,0,0\n1,1\n")], "data.csv, line 2"),
    ("examples-not-utf8", ["synth", "examples", _file(b"0,0,0\n\xff\xfe\n")], "UTF-8"),
    ("parse-unknown-gate", ["synth", "parse", "frob(x0, x1)"], "'frob'"),
    ("parse-unclosed", ["synth", "parse", "and(x0,"], "column 8"),
    ("programs-unparsable", ["compare", "programs", "xor(x0,", "x1"], "cannot parse program A"),
    ("programs-inputs-40", ["compare", "programs", "x0", "x1", "--inputs", "40"], "--inputs must be in 1..20"),
    ("sweep-seeds-word", ["sweep", _case(TINY), "--seeds", "x"], "--seeds"),
    ("sweep-seeds-backwards", ["sweep", _case(TINY), "--seeds", "5:2"], "--seeds"),
    ("sweep-n-jobs-0", ["sweep", _case(TINY), "--seeds", "1", "--n-jobs", "0", "--backend", "joblib"], "n_jobs"),
    ("sweep-out-is-a-file", ["sweep", _case(TINY), "--seeds", "1", "--out", _file("x", "plain_file")],
     "is a file, not a folder"),
    ("list-dir-missing", ["case", "list", "--dir", _path("nowhere")], "not a folder"),
    # -- the audit as a new user (hardening issue, last items) ------------------------------------------
    ("set-epochs-negative", ["case", "run", _case(TINY), "--set", "train.epochs=-1"], "[train] epochs: must be > 0"),
    ("set-epochs-1e400", ["case", "run", _case(TINY), "--set", "train.epochs=1e400"],
     "[train] epochs: must be an integer, got inf"),
    ("set-widths-empty", ["case", "run", _case(TINY), "--set", "net.widths=[]"], "[net] widths: must be a non-empty"),
    ("set-widths-zero", ["case", "run", _case(TINY), "--set", "net.widths=[0]"], "[net] widths"),
    ("set-params-n-0", ["case", "run", _case(TINY), "--set", "task.params={n=0}"], "[task] params"),
    ("set-params-unknown", ["case", "run", _case(TINY), "--set", "task.params={n=3, k=2, z=1}"],
     "[task] params: target 'and': bad parameters: unknown parameter 'z' (its parameters: n, k"),
    ("set-bases-nope", ["case", "run", _case(TINY), "--set", 'synth.bases=["nope"]'], "unknown basis 'nope'"),
    ("set-bases-empty", ["case", "run", _case(TINY), "--set", "synth.bases=[]"], "[synth] bases: must be a non-empty"),
    ("set-lr-underflow", ["case", "run", _case(TINY), "--set", "train.lr=1e-400"], "[train] lr: must be > 0, got 0.0"),
    ("set-seed-1e30", ["case", "run", _case(TINY), "--set", "run.seed=1e30"], "[run] seed: must be an integer"),
    ("set-top-k-0", ["case", "run", _case(TINY), "--set", "synth.top_k=0"], "[synth] top_k: must be > 0"),
    ("set-section-only", ["case", "run", _case(TINY), "--set", "train=1"], "the key must be section.key"),
    ("set-name-empty", ["case", "run", _case(TINY), "--set", 'case.name=""'], "[case] name"),
    ("out-empty", ["case", "run", _case(TINY), "--out", ""], "--out must be a folder path, got ''"),
    ("net-csv-duplicate-header", ["compare", "net", _net(3), "--data", _file("x0,x0,x1,y\n0,0,1,1\n1,1,0,0\n")],
     "data.csv, line 1: the header names column 1 and column 2 both 'x0'"),
    ("net-csv-empty", ["compare", "net", _net(3), "--data", _file("")], "data.csv: no data rows"),
    ("net-csv-header-only", ["compare", "net", _net(3), "--data", _file("x0,x1,x2,y\n")],
     "data.csv: no data rows after the header on line 1"),
    ("net-csv-fewer-inputs", ["compare", "net", _net(3), "--data", _file("0,1,1\n1,0,0\n")],
     "the network reads 3 inputs but task"),
    ("net-csv-more-inputs", ["compare", "net", _net(3), "--data", _file("0,1,1,0,1\n1,0,0,1,0\n")],
     "the network reads 3 inputs but task"),
    ("net-bases-empty", ["compare", "net", _net(3), "--data", _file("0,1,1,1\n"), "--bases", ","],
     "--bases ',': no basis named"),
    ("net-case-weights-mismatch", ["compare", "net", _net(5), "--case", _case(TINY)],
     "do not fit the network of case 'replay_tiny' (size mismatch for linears.0.weight"),
    ("examples-duplicate-header", ["synth", "examples", _file("a,b,a,y\n0,1,1,1\n")], "column 1 and column 3 both 'a'"),
    ("net-model-text-file", ["compare", "net", _file("not a checkpoint\n", "model.pt"), "--data", _file("0,1,1,1\n")],
     "model.pt: not a torch checkpoint"),
    ("net-model-folder", ["compare", "net", _folder("models"), "--data", _file("0,1,1,1\n")],
     "models: is a folder, not a model file"),
    ("programs-ged-timeout-negative", ["compare", "programs", "x0", "x1", "--ged-timeout", "-1"],
     "--ged-timeout must be a positive number of seconds, got -1"),
    ("programs-ged-timeout-nan", ["compare", "programs", "x0", "x1", "--ged-timeout", "nan"], "--ged-timeout"),
    ("report-empty-folder", ["report", _folder("empty")], "empty: not a run folder (no manifest.json)"),
    ("report-a-file", ["report", _file("x", "report.md")], "report.md: not a run folder"),
    ("report-no-finished-seed", ["report", _damaged_run("no-seeds")], "no finished seed"),
    ("report-seed-of-other-case", ["report", _damaged_run("seed-of-other-case")],
     "metrics.json: a seed of case 'other_case' in the run folder of case 'replay_tiny'"),
    ("report-seed-of-other-run", ["report", _damaged_run("seed-of-other-run")],
     "but the manifest gives seed index 0 the seed"),
    ("sweep-seeds-0", ["sweep", _case(TINY), "--seeds", "0"], "--seeds '0': need 0 <= A < B"),
    ("sweep-seeds-empty-range", ["sweep", _case(TINY), "--seeds", "3:3"], "--seeds '3:3'"),
    ("prior-out-is-a-file", ["prior", "--out", _file("x", "plain_file")], "--out"),
    ("posterior-out-is-a-file", ["posterior", "--out", _file("x", "plain_file")], "is a file, not a folder"),
    ("learnability-out-in-a-file", ["learnability", "--out", lambda tmp: _file("x", "plain_file")(tmp) + "/sub"],
     "is a file, not a folder"),
    ("table-top-k-0", ["synth", "table", "0x96", "--inputs", "3", "--top-k", "0"], "--top-k must be an integer >= 1"),
    ("table-max-size-negative", ["synth", "table", "0x96", "--inputs", "3", "--max-size", "-1"], "--max-size"),
    ("census-inputs-0", ["synth", "census", "--inputs", "0"], "--inputs must be an integer >= 1"),
]


def _argv(items, tmp: Path) -> list[str]:
    return [i(tmp) if callable(i) else i for i in items]


@pytest.mark.parametrize("items,fragment", [c[1:] for c in CLI], ids=[c[0] for c in CLI])
def test_cli_mistake_is_one_line_exit_2(capsys, tmp_path, items, fragment):
    argv = _argv(items, tmp_path)
    if argv[0] in ("case", "sweep", "prior") and argv[1] != "list" and "--out" not in argv:
        argv += ["--out", str(tmp_path / "runs")]
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("occam: error: "), err
    assert fragment in err, err
    assert "Traceback" not in err and out == ""
    # nothing half-written: no run folder, no temporary file, no damaged file repaired behind our back
    assert not (tmp_path / "runs").exists()
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".tmp") or p.name.endswith(".claim")]
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()} == before


def _raises(fn):
    return lambda tmp: fn


def _api_case(text: str):
    return lambda tmp: (lambda: load_case_text(text, source="api.toml"))


def _run_case(**kw):
    def make(tmp: Path):
        case = tmp / "case.toml"
        case.write_text(TINY)
        kw.setdefault("out", tmp / "runs")
        return lambda: compare.run_case(str(case), cache=False, **kw)
    return make


def _tiny_case():
    return load_case_text(TINY, source="tiny.toml")


# (id, build(tmp) -> call, expected error type, fragment)
API = [
    # -- named in issue 12 ----------------------------------------------------------------------------
    ("parse-index-2^66", _raises(lambda: Program.parse("x99999999999999999999")), SynthError, "MAX_INPUTS"),
    ("parse-index-10^7", _raises(lambda: Program.parse("x10000000")), SynthError, "MAX_INPUTS"),
    ("examples-strings", _raises(lambda: Spec.from_examples([["a"]], [0])), SynthError, "'a'"),
    ("examples-ragged", _raises(lambda: Spec.from_examples([[0, 1], [0]], [0, 1])), SynthError, "ragged"),
    ("program-args-not-a-tuple", _raises(lambda: Program(3, [("and", 5)])), SynthError, "node 0"),
    ("run-case-out-none", _run_case(out=None), CompareError, "out must be a folder path, got None"),
    ("synthesize-budget-s-nan", _raises(lambda: synth.synthesize(Spec.from_table(0x96, 3), budget_s=float("nan"))),
     SynthError, "budget_s"),
    ("examples-modulus-1", _raises(lambda: Spec.from_examples([[0, 1]], [1], p=1)), SynthError, "modulus p"),
    ("table-n-bool", _raises(lambda: Spec.from_table(0x96, True)), SynthError, "bool"),
    ("make-task-p-4.5", _raises(lambda: compare.make_task("add", p=4.5)), CompareError, "p must be an integer, got 4.5"),
    ("make-task-p-10^5", _raises(lambda: compare.make_task("add", p=100_000)), CompareError, "MAX_MODULUS"),
    ("make-task-n-4.7", _raises(lambda: compare.make_task("parity", n=4.7, k=2)), CompareError, "n must be an integer"),
    ("train-config-lr-inf", _raises(lambda: compare.TrainConfig(lr=float("inf"))), CompareError, "lr"),
    ("mlp-widths-200000", _raises(lambda: compare.MLP(4, [200_000, 200_000])), CompareError, "MAX_PARAMETERS"),
    ("case-name-dotdot", _api_case(TINY.replace('name = "replay_tiny"', 'name = ".."')), CompareError, "'..'"),
    ("case-params-fraction", _api_case(TINY.replace("params = { n = 3, k = 2 }", "params = { n = 4.7, k = 2.9 }")),
     CompareError, "api.toml:6: [task] params"),
    # -- more ---------------------------------------------------------------------------------------------
    ("run-case-path-int", lambda tmp: (lambda: compare.run_case(5, out=tmp / "runs")), CompareError, "path must be"),
    ("run-case-seeds-fraction", _run_case(seeds=1.5), CompareError, "--seeds must be an integer >= 1, got 1.5"),
    ("run-case-overrides-str", _run_case(overrides="train.lr=1"), CompareError, "overrides must be a list"),
    ("run-case-out-int", _run_case(out=3), CompareError, "out must be a folder path, got 3"),
    ("run-folder-of-dotdot-case", _raises(lambda: run_folder(Case("..", "x", {**_tiny_case().config,
                                                                             "case": {"name": ".."}}), "runs")),
     CompareError, "'..'"),
    ("make-task-seed-negative", _raises(lambda: compare.make_task("parity", n=4, k=2, seed=-1)), CompareError,
     "seed must be an integer >= 0"),
    ("make-task-fn-seed-negative", _raises(lambda: compare.make_task("random", n=4, fn_seed=-1)), CompareError,
     "fn_seed"),
    ("make-task-unknown", _raises(lambda: compare.make_task("nope")), CompareError, "unknown target 'nope'"),
    ("make-task-n-100", _raises(lambda: compare.make_task("parity", n=100, k=2)), CompareError, "n=100"),
    ("make-task-train-fraction-nan", _raises(lambda: compare.make_task("parity", n=4, k=2, train_fraction=float("nan"))),
     CompareError, "train_fraction"),
    ("train-config-epochs-fraction", _raises(lambda: compare.TrainConfig(epochs=2.5)), CompareError,
     "epochs must be an integer, got 2.5"),
    ("train-config-epochs-0", _raises(lambda: compare.TrainConfig(epochs=0)), CompareError, "epochs >= 1"),
    ("train-config-optimizer", _raises(lambda: compare.TrainConfig(optimizer="nope")), CompareError, "optimizer"),
    ("compare-programs-modulus", _raises(lambda: compare.compare_programs("add(a,b)", "mul(a,b)", p=10**6)),
     CompareError, "MAX_MODULUS"),
    ("parse-seeds-backwards", _raises(lambda: compare.parse_seeds("5:2")), CompareError, "--seeds"),
    ("plan-sweep-empty", _raises(lambda: compare.plan_sweep([], 1)), CompareError, "at least one case"),
    ("write-report-missing", lambda tmp: (lambda: compare.write_report(tmp / "nowhere")), CompareError,
     "not a run folder"),
    ("synthesize-not-a-spec", _raises(lambda: synth.synthesize("0x96")), SynthError, "synth.Spec"),
    ("synthesize-basis", _raises(lambda: synth.synthesize(Spec.from_table(0x96, 3), basis="nope")), SynthError,
     "unknown basis 'nope'"),
    ("synthesize-top-k-0", _raises(lambda: synth.synthesize(Spec.from_table(0x96, 3), top_k=0)), SynthError, "top_k"),
    ("posterior-queries-columns", _raises(lambda: synth.synthesize(Spec.from_table(0x96, 3)).posterior([[0, 1]])),
     SynthError, "queries must have 3 columns"),
    ("examples-modulus-huge", _raises(lambda: Spec.from_examples([[0, 1]], [1], p=10**5)), SynthError, "MAX_MODULUS"),
    ("table-string", _raises(lambda: Spec.from_table("0x96", 3)), SynthError, "truth table"),
    ("csv-bom-then-fraction", lambda tmp: (lambda: Spec.from_csv(_file(b"\xef\xbb\xbf0.5,1,1\n")(tmp))),
     SynthError, "line 1, column 1"),
    # -- the audit as a new user ----------------------------------------------------------------------------
    ("csv-duplicate-header", lambda tmp: (lambda: Spec.from_csv(_file("a,a,y\n0,1,1\n")(tmp))), SynthError,
     "both 'a'"),
    ("make-task-unknown-parameter", _raises(lambda: compare.make_task("and", n=3, k=2, z=1)), CompareError,
     "unknown parameter 'z'"),
    ("compare-network-no-bases", _raises(lambda: compare.compare_network(compare.MLP(3, [4]), compare.make_task(
        "and", n=3, k=2), bases=[])), CompareError, "bases is empty"),
    ("compare-network-wrong-inputs", _raises(lambda: compare.compare_network(compare.MLP(2, [4]), compare.make_task(
        "and", n=3, k=2))), CompareError, "the network reads 2 inputs but task 'and(n=3, k=2)' has 3"),
    ("compare-programs-ged-timeout", _raises(lambda: compare.compare_programs("x0", "x1", ged_timeout=float("nan"))),
     CompareError, "ged_timeout must be a positive number"),
    ("prior-study-out-file", lambda tmp: (lambda: _prior_study(out_dir=_file("x", "plain_file")(tmp))), CompareError,
     "out_dir"),
]


def _prior_study(**kw):
    from compare.studies.prior import PriorConfig, run_prior_study
    return run_prior_study(PriorConfig(n_inputs=3, widths=(4,), samples=100, batch=100, bases=(), measures=()), **kw)


@pytest.mark.parametrize("build,kind,fragment", [c[1:] for c in API], ids=[c[0] for c in API])
def test_api_mistake_raises_the_projects_error(tmp_path, build, kind, fragment):
    call = build(tmp_path)
    with pytest.raises(kind) as e:
        call()
    msg = str(e.value)
    assert "\n" not in msg and 0 < len(msg) < 800, msg
    assert fragment in msg, msg
    assert not (tmp_path / "runs").exists()


def test_at_least_sixty_replayed_inputs():
    assert len(CLI) + len(API) >= 60
    assert len({c[0] for c in CLI}) == len(CLI) and len({c[0] for c in API}) == len(API)


# ----------------------------------------------------------------------------------------------------
# valid inputs named in the issue: the right answer
# ----------------------------------------------------------------------------------------------------

def test_excel_bom_csv_gives_and(capsys, tmp_path):
    f = tmp_path / "and.csv"
    f.write_bytes(b"\xef\xbb\xbf1,1,1\n0,0,0\n0,1,0\n1,0,0\n")
    code = main(["synth", "examples", str(f), "--basis", "aig", "--json", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    assert d["n_examples"] == 4 and d["shortest"][0] == "and(x0, x1)"


def test_deep_programs_format_and_parse_back():
    deep = Program.parse("not(" * 331 + "x0" + ")" * 331, basis="aon")
    assert Program.parse(str(deep), basis="aon") == deep and deep.depth == 331 and deep.truth_table() == 0b01
    line = Program.parse(CHAIN_3000)
    assert line.truth_table() == 0b10 and Program.parse(str(line)) == line


def test_compare_programs_on_a_3000_statement_chain_is_quick(capsys):
    import time
    t = time.perf_counter()
    code = main(["compare", "programs", CHAIN_3000, "x0", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert json.loads(out)["equivalent"] is True and time.perf_counter() - t < 20


def test_train_fraction_one_runs_and_reports(capsys, tmp_path):
    case = tmp_path / "full.toml"
    case.write_text(TINY.replace("train_fraction = 0.75", "train_fraction = 1.0"))
    code = main(["case", "run", str(case), "--out", str(tmp_path / "runs"), "--no-cache", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    folder = Path(out.splitlines()[0].split(": ", 1)[1])
    assert (folder / "report.md").is_file() and json.loads((folder / "metrics.json").read_text())["n_seeds"] == 1
    code = main(["case", "run", str(case), "--out", str(tmp_path / "runs"), "--no-cache", "--quiet"])
    assert code == 0 and "1 finished earlier" in capsys.readouterr().out


def test_numpy_integers_are_accepted_by_make_task():
    t = compare.make_task("parity", n=np.int64(4), k=np.int32(2), seed=np.int64(3))
    assert t.n_inputs == 4 and t.name == "parity(n=4, k=2)"


def test_a_bug_keeps_its_traceback(monkeypatch, tmp_path):
    """Anything that is not the project's own error is a bug and must look like one (not exit 2)."""
    import compare

    def broken(*a, **k):
        raise ValueError("an internal bug")

    monkeypatch.setattr(compare, "run_case", broken)           # the CLI calls the public API
    case = tmp_path / "case.toml"
    case.write_text(TINY)
    with pytest.raises(ValueError, match="an internal bug"):
        main(["case", "run", str(case), "--out", str(tmp_path / "runs")])


def test_huge_max_size_and_top_k_give_the_right_answer_quickly(capsys):
    """`--max-size 1e12` built empty levels for minutes (hours at 1e12): now the search stops once the
    enumeration is complete, with the same answer as the default."""
    import time
    t = time.perf_counter()
    code = main(["synth", "table", "0x96", "--inputs", "3", "--max-size", "1000000000000",
                 "--top-k", "1000000000000000", "--json", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    d = json.loads(out)
    assert d["min_size"] == 2 and d["exact"] is True and d["shortest"] == ["xor(x0, xor(x1, x2))"]
    assert time.perf_counter() - t < 20


def test_a_case_named_twice_in_a_sweep_is_one_job(capsys, tmp_path):
    case = tmp_path / "case.toml"
    case.write_text(TINY)
    code = main(["sweep", str(case), str(case), "--seeds", "1", "--out", str(tmp_path / "runs"), "--no-cache",
                 "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("1 job computed, 0 finished earlier, 0 failed")
