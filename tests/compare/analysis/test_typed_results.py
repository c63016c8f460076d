"""Typed results (issue 10, item 2): the four groups of a `Comparison` are frozen dataclasses whose
``as_dict`` gives the JSON of a per-seed ``metrics.json`` and whose ``from_dict`` reads it back."""

from __future__ import annotations

import dataclasses
import json

import pytest

import synth
from compare import CompareError, make_task
from compare.analysis.matching import (BaselineFindings, Comparison, ComplexityFindings, FunctionFindings,
                                       StructureFindings, match)
from compare.output.runfolder import to_jsonable

GROUPS = {"function": FunctionFindings, "baselines": BaselineFindings, "complexity": ComplexityFindings,
          "structure": StructureFindings}


@pytest.fixture(scope="module")
def comparisons():
    task = make_task("parity", n=6, k=3, train_fraction=0.5, seed=0)
    syn = synth.synthesize(task.train_spec(), basis="xag")
    return [match(synth.Program.parse(p, 6), syn, task) for p in
            ("xor(x0, xor(x1, x2))", "xor(x0, x1)", "and(x0, x1)")]


def test_groups_are_frozen_dataclasses(comparisons):
    c = comparisons[0]
    for name, cls in GROUPS.items():
        group = getattr(c, name)
        assert isinstance(group, cls) and dataclasses.is_dataclass(group)
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(group, dataclasses.fields(group)[0].name, None)
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.verdict = ""


def test_every_group_round_trips(comparisons):
    for c in comparisons:
        for name, cls in GROUPS.items():
            group = getattr(c, name)
            d = group.as_dict()
            assert cls.from_dict(d) == group
            assert cls.from_dict(json.loads(json.dumps(d))) == group     # through JSON text too
            assert d == c.as_dict()[name]


def test_comparison_round_trips_through_json(comparisons):
    for c in comparisons:
        d = c.as_dict()
        assert Comparison.from_dict(d) == c
        back = Comparison.from_dict(json.loads(json.dumps(to_jsonable(d))))
        assert back == c and back.verdict == c.verdict
        assert json.dumps(back.as_dict(), sort_keys=True) == json.dumps(d, sort_keys=True)


def test_json_keys_are_those_of_metrics_json(comparisons):
    c = comparisons[0]
    d = c.as_dict()
    assert list(d) == ["task", "basis", "mode", "n_heldout", "function", "baselines", "complexity",
                       "structure", "implements_shortest", "verdict", "notes"]
    assert isinstance(d["function"]["shortest_per_tie"], list) and isinstance(d["notes"], list)
    assert isinstance(d["structure"]["support_net"], list)
    # shared_note is written only when a circuit was compared node by node
    assert "shared_note" in d["structure"]
    s = dataclasses.replace(c.structure, shared_note=None)
    assert "shared_note" not in s.as_dict() and StructureFindings.from_dict(s.as_dict()) == s


def test_from_dict_names_a_missing_or_unknown_key(comparisons):
    d = comparisons[0].as_dict()
    f = dict(d["function"])
    del f["target"]
    with pytest.raises(CompareError, match="FunctionFindings.from_dict: no key 'target'"):
        FunctionFindings.from_dict(f)
    with pytest.raises(CompareError, match="unknown key 'nope'"):
        ComplexityFindings.from_dict({**d["complexity"], "nope": 1})
    with pytest.raises(CompareError, match="Comparison.from_dict: no key 'verdict'"):
        Comparison.from_dict({k: v for k, v in d.items() if k != "verdict"})
    with pytest.raises(CompareError, match="expected a dict"):
        BaselineFindings.from_dict([])
