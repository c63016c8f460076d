"""Learnability study (compare.studies.learnability): targets, batched training, permutation test, study output."""

import json

import pytest

import synth
from compare import CompareError
from compare.studies.learnability import LearnabilityConfig, run_learnability_study, select_targets


def test_targets_have_their_stated_minimal_size():
    cfg = LearnabilityConfig(n_inputs=3, max_size=3, targets_per_size=3, random_targets=2, basis="aig")
    ts = select_targets(cfg, seed=0)
    c = synth.census(3, "aig", "formula")
    structured = [t for t in ts if t.kind == "structured"]
    assert len(structured) == 4 * 3 and len([t for t in ts if t.kind == "random"]) == 2
    for t in ts:
        assert t.table not in (0, 0xff) or t.kind == "random"
        if t.exact:
            assert c.size(t.table) == t.size
        else:
            assert c.size(t.table) > cfg.max_size
    assert [t.table for t in select_targets(cfg, seed=0)] == [t.table for t in ts]


@pytest.mark.parametrize("kw", [dict(regimes=(("sigmoid", 1.0),)), dict(regimes=(("tanh", 0.0),)),
                                dict(train_fractions=(0.0, 0.5)), dict(fixed_fraction=0.3),
                                dict(threshold=0.4), dict(basis="zp"), dict(widths=()), dict(seeds=0),
                                dict(protocol="sometimes"),
                                dict(n_inputs=1)])
def test_bad_config_raises(kw):
    with pytest.raises(CompareError):
        LearnabilityConfig(**kw)


def test_study_output_and_determinism(tmp_path):
    cfg = LearnabilityConfig(n_inputs=3, max_size=2, targets_per_size=3, random_targets=2, seeds=2,
                             train_fractions=(0.5, 0.75), fixed_fraction=0.5, epochs=25, permutations=100,
                             regimes=(("relu", 1.0), ("tanh", 8.0)), widths=(8,))
    st = run_learnability_study(cfg, seed=0, out_dir=tmp_path)
    d = json.loads((tmp_path / "learnability.json").read_text())
    assert set(d["results"]) == {"relu σw=1", "tanh σw=8"}
    r = d["results"]["relu σw=1"]
    assert len(r["mean_accuracy"]) == 2 and len(r["mean_accuracy"][0]) == len(d["targets"]) == 11
    assert 0 <= r["random_mean_accuracy"] <= 1
    assert (tmp_path / "figures" / "learnability.png").stat().st_size > 1000
    assert "Negative controls" in (tmp_path / "report.md").read_text()
    again = run_learnability_study(cfg, seed=0)
    assert again.results["relu σw=1"]["mean_accuracy"] == st.results["relu σw=1"]["mean_accuracy"]


def test_study_reports_its_bootstraps_without_changing_them():
    cfg = LearnabilityConfig(n_inputs=3, max_size=1, targets_per_size=2, random_targets=1, seeds=2,
                             train_fractions=(0.5,), fixed_fraction=0.5, epochs=15, permutations=20, bootstrap=25,
                             regimes=(("relu", 1.0), ("tanh", 8.0)), widths=(8,))
    told: list[str] = []
    a = run_learnability_study(cfg, seed=1, progress=told.append)
    b = run_learnability_study(cfg, seed=1)
    assert a.results == b.results
    boot = [s for s in told if s.startswith("bootstrap ")]
    assert boot and all(s.endswith("/25 resamples") for s in boot)
    ks = [int(s.split()[1].split("/")[0]) for s in boot]
    assert ks[-1] == 25 and all(k == 1 or k == j + 1 for j, k in zip([0] + ks, ks))   # each run counts 1..25
    assert ks.count(25) == ks.count(1)                          # every bootstrap ran to the end


def test_cli(tmp_path, capsys):
    from compare.cli import main
    code = main(["learnability", "--n", "3", "--widths", "8", "--max-size", "1", "--targets-per-size", "2",
                 "--random-targets", "1", "--seeds", "2", "--train-fractions", "0.5", "--fixed-fraction", "0.5",
                 "--epochs", "20", "--permutations", "20", "--bootstrap", "20", "--regimes", "relu:1,tanh:8",
                 "--out", str(tmp_path), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0 and "relu σw=1" in out and err == ""
    d = json.loads((tmp_path / "learnability.json").read_text())
    assert d["config"]["regimes"] == [["relu", 1.0], ["tanh", 8.0]] and d["verdict"]
    code = main(["learnability", "--regimes", "relu:x", "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 2 and err.startswith("occam: error: --regimes") and "Traceback" not in err

