"""Case files: the shipped cases are valid, and bad files or flags give one clear error naming file and key."""

from pathlib import Path

import pytest

from compare import CompareError
from compare.runs.cases import cases_dir, config_hash, list_cases, load_case, load_case_text, parse_override

CASES = cases_dir()
GOOD = """
[case]
name = "t"
[task]
target = "parity"
params = { n = 6, k = 3 }
train_fraction = 0.5
"""


def test_shipped_cases_are_valid():
    rows = list_cases(CASES)
    names = {r["name"] for r in rows}
    assert {"conjunction", "sparse_parity", "majority", "multiplexer", "random_function",
            "modular_addition"} <= names
    assert all(r["error"] is None for r in rows), [r["error"] for r in rows if r["error"]]
    for r in rows:
        c = load_case(r["path"])
        # the grokking cases run 3 seeds by default (each trains thousands of epochs), the others 5
        assert c.config["run"]["seeds"] == (3 if "grokking" in r["name"] else 5)
        assert c.config["case"]["claim"] and c.config["case"]["expect"]
        if c.make_task(0).domain == "bool":
            assert {"xag", "aon", "mig"} <= set(c.config["synth"]["bases"])


def test_defaults_and_hash():
    c = load_case_text(GOOD, source="t.toml")
    assert c.config["train"]["optimizer"] == "adamw" and c.config["synth"]["bases"] == ["xag", "aon", "mig"]
    more = c.with_overrides(["run.seeds=9"])
    assert more.hash() == c.hash()                       # seeds extend a run, they do not fork it
    assert c.with_overrides(["train.lr=0.5"]).hash() != c.hash()
    assert config_hash(c.config) == c.hash()
    assert c.seeds(3) == c.seeds(5)[:3]                  # seed i does not depend on how many seeds


BAD = [
    ("[case]\nname = 't'\n[tsk]\n", r"t\.toml:3: \[tsk\]: unknown section"),
    (GOOD + "learning_rate = 1\n", r"\[task\] learning_rate: unknown key"),
    (GOOD + "[train]\nlr = -1\n", r"t\.toml:\d+: \[train\] lr: must be > 0"),
    (GOOD + "[train]\nlr = 'fast'\n", r"\[train\] lr: must be an integer or a number"),
    (GOOD + "[train]\nepochs = 1.5\n", r"\[train\] epochs: must be an integer"),
    (GOOD + "[train]\noptimizer = 'lbfgs'\n", r"\[train\] optimizer: must be one of"),
    (GOOD + "[synth]\nbases = ['xag', 'nope']\n", r"\[synth\] bases: unknown basis 'nope'"),
    (GOOD + "[synth]\nbases = ['zp']\n", r"\[synth\] bases: basis 'zp' is for the zp domain"),
    (GOOD + "[run]\nseeds = 0\n", r"\[run\] seeds: must be > 0"),
    (GOOD + "[net]\nkind = 'zp_mlp'\n", r"\[net\] kind: .* Boolean task"),
    (GOOD + "[net]\nwidths = [0]\n", r"\[net\] widths: must be a non-empty list"),
    (GOOD + "[extract]\nmethod = 'magic'\n", r"\[extract\] method: unknown method"),
    (GOOD.replace('"parity"', '"parityy"'), r"\[task\] target: unknown target 'parityy'"),
    (GOOD.replace("k = 3", "k = 9"), r"\[task\] params: .*k <= n"),
    (GOOD + "train_count = 10\n", r"\[task\] train_count: give train_fraction or train_count"),
    (GOOD.replace("0.5", "1.5"), r"\[task\] train_fraction: must be in \(0, 1\]"),
    ("[task]\ntarget = 'and'\n", r"\[case\]: missing required key 'name'"),
    (GOOD + "[[run]]\nseeds = 1\n", r"run must be a \[run\] table"),
    ("[case\nname=", r"t\.toml: invalid TOML"),
    (GOOD + "[case]\n", r"invalid TOML"),                # a section twice
]


@pytest.mark.parametrize("text,pattern", BAD)
def test_bad_case_files_name_file_and_key(text, pattern):
    with pytest.raises(CompareError, match=pattern):
        load_case_text(text, source="t.toml")


@pytest.mark.parametrize("item,pattern", [
    ("train.lr", r"expected section\.key=value"),
    ("lr=0.1", r"section\.key"),
    ("train.learning_rate=0.1", r"unknown key 'learning_rate'"),
    ("bogus.lr=1", r"section\.key with a section"),
])
def test_bad_overrides(item, pattern):
    with pytest.raises(CompareError, match=pattern):
        parse_override(item)


def test_override_values_are_validated():
    c = load_case_text(GOOD, source="t.toml")
    assert c.with_overrides(["train.lr=0.05", "synth.bases=['xag']"]).config["train"]["lr"] == 0.05
    with pytest.raises(CompareError, match=r"\[train\] lr: must be > 0"):
        c.with_overrides(["train.lr=0"])
    with pytest.raises(CompareError, match=r"\[train\] loss: must be one of"):
        c.with_overrides(["train.loss=hinj"])


def test_missing_case_file():
    with pytest.raises(CompareError, match="not found"):
        load_case("no_such_case")


def test_shipped_cases_are_package_data_found_by_name_from_any_folder(tmp_path, monkeypatch):
    """The case files live inside the package (one copy) and pyproject ships them; a name, the old
    cases/NAME.toml spelling and a user's own path all resolve, whatever the working folder."""
    import tomllib

    root = Path(__file__).resolve().parents[3]
    assert CASES == root / "compare" / "case_files" and not (root / "cases").exists()
    data = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "case_files/*.toml" in data["compare"]
    monkeypatch.chdir(tmp_path)
    assert load_case("sparse_parity").source == str(CASES / "sparse_parity.toml")
    assert load_case("cases/majority.toml").name == "majority"
    assert [r["name"] for r in list_cases()] == sorted(p.stem for p in CASES.glob("*.toml"))
    own = tmp_path / "mine.toml"
    own.write_text(GOOD)
    assert load_case("mine.toml").name == "t" and load_case(own).source == str(own)
    with pytest.raises(CompareError, match=r"not found .*shipped case: conjunction, grokking_modular"):
        load_case("elsewhere/sparse_parity.toml")


@pytest.mark.parametrize("extra, msg", [
    ("[synth]\nbasis_budget = { nope = 1e9 }\n", r"\[synth\] basis_budget: unknown basis 'nope'"),
    ("[synth]\nbasis_budget = { full = 1e9 }\n", r"\[synth\] basis_budget: basis 'full' is not in \[synth\] bases"),
    ("[synth]\nbasis_function_budget = { xag = 0.5 }\n", r"basis_function_budget: basis 'xag': must be a whole"),
    ("[synth]\nbasis_budget = { xag = 'lots' }\n", r"basis_budget: basis 'xag': must be a whole"),
    ("[synth]\nbasis_budget = 5\n", r"basis_budget: must be a table"),
])
def test_bad_basis_budgets_name_the_key(extra, msg):
    with pytest.raises(CompareError, match=msg):
        load_case_text(GOOD + extra, source="t.toml")


def test_basis_budgets_override_the_budget_of_their_basis():
    c = load_case_text(GOOD + "[synth]\nbudget = 2e7\nbasis_budget = { xag = 4e9 }\n", source="t.toml")
    s = c.config["synth"]
    assert s["basis_budget"] == {"xag": 4_000_000_000} and isinstance(s["basis_budget"]["xag"], int)
    assert [s["basis_budget"].get(b, s["budget"]) for b in s["bases"]] == [4_000_000_000, 20_000_000, 20_000_000]
    assert s["basis_function_budget"] == {}
