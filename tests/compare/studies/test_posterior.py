"""Posterior study (compare.studies.posterior): targets, the three distributions against oracles, statistics, output."""

import json
import math
from collections import Counter

import numpy as np
import pytest
from scipy import stats as scipy_stats

import synth
from compare import CompareError
from compare.cli import main
from compare.networks.batched import NetPrior
from compare.studies.posterior import (PosteriorConfig, _tempered_beta, bayes_functions, compare_distributions,
                                       length_posterior, run_posterior_study, sgd_functions, target_task)
from compare.studies.prior import PriorConfig, count_functions


def test_target_specs():
    t = target_task("majority:k=3", 5, 12, 0)
    assert t.table == 0xE8E8E8E8 and len(t.train_idx) == 12 and len(t.test_idx) == 20
    assert target_task("threshold:k=3,t=1", 3, 4, 0).table == 0xFE
    assert target_task("0x96", 3, 4, 1).table == 0x96
    assert target_task("xor(x0, and(x1, x2))", 3, 4, 0).table == 0x6A
    a, b = target_task("and:k=2", 4, 6, 0), target_task("and:k=2", 4, 6, 1)
    assert list(a.train_idx) != list(b.train_idx)                      # the split seed matters
    for bad in ("nope", "and:k", "and:k=2,n=4", "0x1ff", "add:p=5", "xor(x0, x9)"):
        with pytest.raises(CompareError, match="target"):
            target_task(bad, 3, 4, 0)


@pytest.mark.parametrize("kw", [dict(targets=()), dict(train_count=8), dict(runs=1), dict(optimizer="lbfgs"),
                                dict(basis="zp"), dict(batch_size=0), dict(lr=0), dict(widths=(0,)),
                                dict(targets=("and:k=2", "bogus"))])
def test_bad_config(kw):
    with pytest.raises(CompareError):
        PosteriorConfig(**{"n_inputs": 3, "train_count": 4, **kw})


def test_config_round_trip():
    cfg = PosteriorConfig(targets=("and:k=2",), n_inputs=3, train_count=4, widths=(8, 8), batch_size=2)
    assert PosteriorConfig.from_dict(json.loads(json.dumps(cfg.as_dict()))) == cfg


def test_rejection_sampling_matches_the_conditioned_prior():
    # oracle: a large prior sample of the same network, restricted to the functions that fit S
    net = NetPrior(3, (8,), "relu", 1.0, 1.0)
    task = target_task("and:k=2", 3, 4, 0)
    prior = count_functions(PriorConfig(n_inputs=3, widths=(8,), sigma_b=1.0, samples=400_000, batch=4096,
                                        bases=(), measures=()), seed=11)
    care, y = task.care, task.table & task.care
    ref = {t: c for t, c in zip(prior.tables, prior.counts) if (t & care) == y}
    b = bayes_functions(task, net, accepted=20_000, max_samples=10**7, seed=12, batch=4096)
    assert b["accepted"] >= 20_000 and b["samples"] % 4096 == 0
    assert set(b["counts"]) <= set(ref) | {t for t, c in b["counts"].items() if c <= 2}
    keys = [t for t in ref if ref[t] >= 50]
    obs = np.array([b["counts"].get(t, 0) for t in keys], float)
    exp = np.array([ref[t] for t in keys], float)
    exp = exp / exp.sum() * obs.sum()
    chi2 = scipy_stats.chisquare(obs, exp)
    assert chi2.pvalue > 1e-3, (chi2, keys)
    # acceptance rate agrees with the prior's mass on consistent functions
    assert b["acceptance"] == pytest.approx(sum(ref.values()) / prior.samples, rel=0.05)
    lo, hi = b["acceptance_ci"]
    assert lo < b["acceptance"] < hi


def test_rejection_sampling_is_deterministic_and_stops_at_max_samples():
    net = NetPrior(3, (6,), "tanh", 2.0, 0.5)
    task = target_task("parity:k=3", 3, 5, 0)
    a = bayes_functions(task, net, accepted=50, max_samples=100_000, seed=3, batch=1000, threads=1)
    b = bayes_functions(task, net, accepted=50, max_samples=100_000, seed=3, batch=1000, threads=2)
    assert a["counts"] == b["counts"] and a["samples"] == b["samples"]
    c = bayes_functions(task, net, accepted=10**9, max_samples=2500, seed=3, batch=1000)
    assert c["samples"] == 2500


def test_sgd_functions_fit_the_training_set():
    net = NetPrior(4, (16,), "relu", 1.0, 1.0)
    task = target_task("or:k=2", 4, 6, 0)
    r = sgd_functions(task, net, runs=300, seed=5, lr=0.01, max_steps=2000, chunk=128)
    assert r["fitted"] + r["not_fitted"] == 300 and r["fitted"] >= 290
    for t in r["counts"]:
        assert (t & task.care) == (task.table & task.care)
    again = sgd_functions(task, net, runs=300, seed=5, lr=0.01, max_steps=2000, chunk=128)
    assert again["counts"] == r["counts"]


@pytest.mark.parametrize("basis", ["xag", "aig", "mig"])
def test_length_posterior_against_the_census(basis):
    task = target_task("majority:k=3", 3, 4, 0)
    lp = length_posterior(task, basis=basis, slack=2)
    cen = synth.census(3, basis, "formula")
    care, y = task.care, task.table & task.care
    consistent = [f for f in range(256) if (f & care) == y]
    smin = min(cen.size(f) for f in consistent)
    assert lp["min_size"] == smin
    expect = {f for f in consistent if cen.size(f) <= lp["searched_size"]}
    assert set(lp["functions"]) == expect
    for f, (size, bits, prog) in lp["functions"].items():
        assert size == cen.size(f)
        p = synth.Program.parse(prog, 3, basis=basis)
        assert p.truth_table() == f and p.size == size and bits == pytest.approx(p.bits)


def _tiny():
    # n = 2, two training points (x=0 -> 0, x=3 -> 1), two held out: four consistent functions
    task = target_task("0x8", 2, 2, 0)
    tr = sorted(task.train_idx)
    return task, tr


def test_compare_distributions_by_hand():
    task, tr = _tiny()
    care, y = task.care, task.table & task.care
    cons = sorted(f for f in range(16) if (f & care) == y)
    assert len(cons) == 4
    sgd = Counter({cons[0]: 60, cons[1]: 40})
    bayes = Counter({cons[0]: 30, cons[1]: 30, cons[2]: 40})
    length = {cons[0]: (1, 4.0, "p0"), cons[1]: (2, 5.0, "p1"), cons[2]: (2, 5.0, "p2"), cons[3]: (3, 6.0, "p3")}
    d = compare_distributions(task, sgd, bayes, length, bootstrap=200, seed=0)
    st = d["stats"]
    assert st["tv_sgd_bayes"]["value"] == pytest.approx(0.5 * (0.3 + 0.1 + 0.4))
    z = 2**-4 + 2 * 2**-5 + 2**-6
    p_len = np.array([2**-4, 2**-5, 2**-5, 2**-6]) / z
    assert st["tv_sgd_len_exact"]["value"] == pytest.approx(0.5 * np.abs(np.array([0.6, 0.4, 0, 0]) - p_len).sum(),
                                                            abs=1e-4)
    assert d["len_sample"] == 100           # P_len is sampled as often as P_B was, to match its noise
    assert st["tv_difference"]["value"] == pytest.approx(st["tv_sgd_len"]["value"] - st["tv_sgd_bayes"]["value"],
                                                         abs=1e-4)
    assert st["shortest_sgd"]["value"] == pytest.approx(0.6) and st["shortest_bayes"]["value"] == pytest.approx(0.3)
    assert st["shortest_len"]["value"] == pytest.approx(p_len[0], abs=1e-4)
    # held-out accuracy: each function's agreement with the target on the two held-out points
    test = list(task.test_idx)
    acc = [np.mean([((f >> t) & 1) == ((task.table >> t) & 1) for t in test]) for f in cons]
    assert st["acc_sgd"]["value"] == pytest.approx(0.6 * acc[0] + 0.4 * acc[1])
    assert d["mass_by_size"]["bayes"] == {"1": 0.3, "2": 0.7, "3": 0.0, "beyond": 0.0}
    assert d["distinct"] == {"sgd": 2, "bayes": 3, "len": 4}
    for k in ("tv_sgd_bayes", "acc_sgd", "rho_sgd_bayes"):
        if st[k]["lo"] is not None:
            assert st[k]["lo"] <= st[k]["hi"]
    assert 0 < d["noise_test"]["sgd_bayes"]["p"] <= 1 and isinstance(d["verdict"], str)


def test_compare_distributions_reports_its_bootstrap_without_changing_it():
    task, _ = _tiny()
    care, y = task.care, task.table & task.care
    cons = sorted(f for f in range(16) if (f & care) == y)
    sgd, bayes = Counter({cons[0]: 60, cons[1]: 40}), Counter({cons[0]: 30, cons[1]: 30, cons[2]: 40})
    length = {f: (i, 4.0 + i, f"p{i}") for i, f in enumerate(cons)}
    told: list[str] = []
    a = compare_distributions(task, sgd, bayes, length, bootstrap=50, seed=3, progress=told.append)
    b = compare_distributions(task, sgd, bayes, length, bootstrap=50, seed=3)
    assert told == [f"bootstrap {k}/50 resamples" for k in range(1, 51)]
    assert a["stats"] == b["stats"] and a["noise_test"] == b["noise_test"] and a["table"] == b["table"]


def test_noise_test_accepts_a_sample_of_the_same_distribution():
    task, _ = _tiny()
    care, y = task.care, task.table & task.care
    cons = sorted(f for f in range(16) if (f & care) == y)
    rng = np.random.default_rng(0)
    p = np.array([0.5, 0.3, 0.15, 0.05])
    sgd = Counter(dict(zip(cons, rng.multinomial(3000, p).tolist())))
    bayes = Counter(dict(zip(cons, rng.multinomial(3000, p).tolist())))
    far = Counter({cons[3]: 3000})
    length = {f: (i, 4.0 + i, f"p{i}") for i, f in enumerate(cons)}
    same = compare_distributions(task, sgd, bayes, length, bootstrap=300, seed=1)
    diff = compare_distributions(task, far, bayes, length, bootstrap=300, seed=1)
    assert same["noise_test"]["sgd_bayes"]["p"] > 0.05
    assert diff["noise_test"]["sgd_bayes"]["p"] < 0.01 and diff["stats"]["tv_sgd_bayes"]["lo"] > 0.8


def test_tempered_beta_recovers_the_temperature():
    bits = np.array([4.0, 6.0, 8.0, 10.0, 12.0])
    w = 2.0 ** (-0.5 * bits)
    counts = np.round(w / w.sum() * 1e6)
    assert _tempered_beta(bits, counts) == pytest.approx(0.5, abs=0.01)
    assert _tempered_beta(np.array([3.0, 3.0]), np.array([1.0, 2.0])) is None


def _small_cfg(**kw):
    base = dict(targets=("and:k=2", "0x96"), n_inputs=3, train_count=4, widths=(8,), runs=150, accepted=150,
                max_samples=300_000, batch=2048, bootstrap=60, max_steps=1500, lr=0.01)
    return PosteriorConfig(**{**base, **kw})


def test_study_output_and_determinism(tmp_path):
    cfg = _small_cfg()
    st = run_posterior_study(cfg, seed=2, out_dir=tmp_path)
    d = json.loads((tmp_path / "posterior.json").read_text())
    assert [r["target"] for r in d["results"]] == ["and:k=2", "0x96"]
    r = d["results"][0]
    assert r["sgd"]["fitted"] + r["sgd"]["not_fitted"] == 150 and r["bayes"]["accepted"] >= 150
    assert sum(row["sgd"] for row in r["comparison"]["table"]) == r["sgd"]["fitted"]
    assert math.isclose(sum(row["p_len"] for row in r["comparison"]["table"]), 1.0, rel_tol=1e-9)
    report = (tmp_path / "report.md").read_text()
    assert "TV(SGD, B)" in report and "Bayesian posterior" in report
    for f in ("summary.png", "and_k_2.png", "0x96.png"):
        assert (tmp_path / "figures" / f).stat().st_size > 5000
    assert not list(tmp_path.rglob("*.tmp"))
    again = run_posterior_study(cfg, seed=2)
    strip = (lambda s: [{k: v for k, v in x.items() if k not in ("sgd", "bayes", "len")} | {
        "sgd": {k: v for k, v in x["sgd"].items() if k != "seconds"},
        "bayes": {k: v for k, v in x["bayes"].items() if k != "seconds"}} for x in s.as_dict()["results"]])
    assert json.dumps(strip(again), default=str) == json.dumps(strip(st), default=str)


def test_cli(tmp_path, capsys):
    code = main(["posterior", "--targets", "and:k=2", "--n", "3", "--train-count", "4", "--widths", "8",
                 "--runs", "100", "--accepted", "100", "--bootstrap", "30", "--out", str(tmp_path), "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0 and "TV(SGD, B)" in out and err == ""
    assert (tmp_path / "report.md").exists()
    code = main(["posterior", "--targets", "nope", "--out", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 2 and err.startswith("occam: error: target 'nope'") and "Traceback" not in err


def test_closer_verdict_is_calibrated_under_a_tie():
    # SGD and P_B sampled from one distribution and P_len equal to it: no side should be declared closer
    # (at most the 5 % of a 95 % interval), while a clear difference from P_len is found every time
    task = target_task("and:k=2", 5, 12, 0)
    rng = np.random.default_rng(2)
    free = [i for i in range(32) if not (task.care >> i) & 1]
    tabs = sorted({(task.table & task.care) | sum(int(b) << free[j] for j, b in enumerate(rng.integers(0, 2, 20)))
                   for _ in range(300)})
    q = 1 / np.arange(1, len(tabs) + 1)
    q /= q.sum()
    u = 1 / np.arange(1, len(tabs) + 1) ** 2.0
    u /= u.sum()
    verdicts = {0.0: [], 0.5: []}
    for mix in verdicts:
        p_len = (1 - mix) * q + mix * u
        length = {t: (3, float(b), "p") for t, b in zip(tabs, -np.log2(p_len))}
        for trial in range(12):
            s = Counter(dict(zip(tabs, rng.multinomial(2000, q).tolist())))
            b = Counter(dict(zip(tabs, rng.multinomial(2000, q).tolist())))
            verdicts[mix].append(compare_distributions(task, +s, +b, length, bootstrap=150, seed=trial)["closer"])
    assert sum(v is not None for v in verdicts[0.0]) <= 1, verdicts[0.0]
    assert verdicts[0.5] == ["bayes"] * 12, verdicts[0.5]


def test_empty_samples_give_no_comparison():
    task, _ = _tiny()
    care, y = task.care, task.table & task.care
    cons = sorted(f for f in range(16) if (f & care) == y)
    length = {f: (i, 4.0 + i, f"p{i}") for i, f in enumerate(cons)}
    d = compare_distributions(task, Counter({cons[0]: 10}), Counter(), length, bootstrap=50)
    assert d["closer"] is None and d["verdict"].startswith("nothing to compare")
    assert d["stats"]["tv_sgd_bayes"]["value"] is None and d["stats"]["acc_bayes"]["value"] is None
    assert d["stats"]["acc_sgd"]["value"] is not None


def test_interrupted_study_resumes_from_saved_samples(tmp_path):
    with pytest.raises(CompareError, match="distinct"):
        _small_cfg(targets=("and:k=2", "and:k=2 "))
    cfg = _small_cfg(targets=("and:k=2", "and: k=2"), bootstrap=20)
    assert sorted(cfg.slugs.values()) == ["and_k_2", "and_k_2-2"]
    first = run_posterior_study(cfg, seed=4, out_dir=tmp_path)
    saved = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "targets").iterdir()}
    assert set(saved) == {"and_k_2.json", "and_k_2-2.json"}
    (tmp_path / "targets" / "and_k_2-2.json").write_text("{ half a file")      # as if killed mid-write
    said = []
    again = run_posterior_study(_small_cfg(targets=("and:k=2", "and: k=2"), bootstrap=30), seed=4, out_dir=tmp_path,
                                progress=said.append)
    assert sum("samples read from" in s for s in said) == 1                   # one target reused, one redone
    assert said.count("bootstrap 30/30 resamples") == 2                        # each target's intervals
    assert (tmp_path / "targets" / "and_k_2.json").stat().st_mtime_ns == saved["and_k_2.json"]
    for a, b in zip(first.results, again.results):
        assert a["comparison"]["table"] == b["comparison"]["table"]            # the same samples
    json.loads((tmp_path / "targets" / "and_k_2-2.json").read_text())
