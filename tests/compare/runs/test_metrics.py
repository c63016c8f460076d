"""The typed per-seed record (`compare.runs.metrics.SeedRecord`): `run_seed` writes ``as_dict()`` as a seed
folder's ``metrics.json``, and the report, the aggregate and the sweep read it back with ``from_dict``; a
record round-trips to the same bytes, and a file that is not one is named with the key at fault."""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from compare import CompareError, Comparison
from compare.output.runfolder import RUN_SCHEMA, RunFolderError, atomic_write_json
from compare.runs.cases import load_case_text
from compare.runs.metrics import SeedRecord, TrainingSummary, aggregate, case_metrics, read_seed_record
from compare.runs.report import LoadedRun, SeedFiles, load_run, write_report
from compare.runs.study import run_case
from reference import tiny_case


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("metrics")
    case = load_case_text(tiny_case("metrics_tiny").replace("seeds = 1", "seeds = 2"),
                          source="metrics_tiny.toml")
    return run_case(case, out=out, cache=False)


def _seed_files(run):
    return sorted((run.folder / "seeds").glob("*/metrics.json"))


def test_the_seed_file_is_the_record_as_dict_byte_for_byte(run, tmp_path):
    for path in _seed_files(run):
        record = read_seed_record(path)
        assert isinstance(record, SeedRecord) and isinstance(record.training, TrainingSummary)
        assert all(isinstance(c, Comparison) for c in record.comparisons.values())
        assert record.schema == RUN_SCHEMA and record.case == "metrics_tiny"
        again = atomic_write_json(tmp_path / "again.json", record.as_dict())
        assert again.read_bytes() == path.read_bytes()
        assert SeedRecord.from_dict(json.loads(path.read_text())) == record
        with pytest.raises(dataclasses.FrozenInstanceError):
            record.seed = 0


def test_the_top_level_metrics_are_computed_from_the_records(run):
    records = [read_seed_record(p) for p in _seed_files(run)]
    top = case_metrics("metrics_tiny", run.metrics["hash"], 2, records, ["xag"])
    assert json.loads(json.dumps(top)) == json.loads((run.folder / "metrics.json").read_text())
    assert aggregate(records)["bases"]["xag"]["implements_shortest"]["n"] == 2


def test_the_report_reads_typed_records(run):
    loaded = load_run(run.folder)
    assert isinstance(loaded, LoadedRun) and len(loaded.seeds) == 2
    assert all(isinstance(s, SeedFiles) and isinstance(s.record, SeedRecord) for s in loaded.seeds)
    assert [s.record.seed_index for s in loaded.seeds] == [0, 1]
    assert loaded.seeds[0].history is not None and "total" in loaded.seeds[0].timings


def test_from_dict_names_a_missing_or_unknown_key(run):
    d = json.loads(_seed_files(run)[0].read_text())
    with pytest.raises(CompareError, match="SeedRecord.from_dict: no key 'training'"):
        SeedRecord.from_dict({k: v for k, v in d.items() if k != "training"})
    with pytest.raises(CompareError, match="SeedRecord.from_dict: unknown key 'nope'"):
        SeedRecord.from_dict({**d, "nope": 1})
    with pytest.raises(CompareError, match="TrainingSummary.from_dict: no key 'epochs'"):
        SeedRecord.from_dict({**d, "training": {k: v for k, v in d["training"].items() if k != "epochs"}})
    bad = {**d, "comparisons": {"xag": {k: v for k, v in d["comparisons"]["xag"].items() if k != "basis"}}}
    with pytest.raises(CompareError, match="comparisons.xag: Comparison.from_dict: no key 'basis'"):
        SeedRecord.from_dict(bad)
    # keys that files of older versions lack read as their defaults
    old = {k: v for k, v in d.items() if k not in ("schema", "valve_fired", "circuits")}
    record = SeedRecord.from_dict(old)
    assert record.schema == 1 and record.valve_fired == () and record.circuits == {}


def test_a_seed_file_that_is_no_record_is_named_by_the_report(run, tmp_path):
    folder = tmp_path / "run"
    shutil.copytree(run.folder, folder)
    path = sorted((folder / "seeds").glob("*/metrics.json"))[0]
    d = json.loads(path.read_text())
    d["training"]["extra"] = 1
    path.write_text(json.dumps(d))
    with pytest.raises(RunFolderError, match=r"metrics.json: damaged seed metrics: TrainingSummary.from_dict: "
                                             r"unknown key 'extra'"):
        write_report(folder)
