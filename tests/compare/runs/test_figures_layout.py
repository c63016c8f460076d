"""Circuit drawings: graphviz's dot layout when `dot` is installed, a layered layout by depth without it."""

from __future__ import annotations

import shutil

import pytest

import synth
from compare.analysis.structure import program_graph
from compare.runs import report

CHAIN = "and(x0, and(x1, and(x2, and(x3, and(x4, x5)))))"     # five gates, one per level


def _gates(G):
    return [v for v in G.nodes if G.nodes[v].get("op") != "input"]


def test_layered_layout_places_gates_by_depth_and_not_in_one_column():
    G = program_graph(synth.Program.parse(CHAIN, 6))
    pos = report.layered_layout(G)
    gates = _gates(G)
    assert sorted(y for v, (x, y) in pos.items() if v in gates) == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert {y for v, (x, y) in pos.items() if v not in gates} == {0.0}
    assert len({round(pos[v][0], 6) for v in gates}) == 5          # five columns, not one
    xs = [pos[v][0] for v in sorted((v for v in G.nodes if v not in gates), key=lambda v: G.nodes[v]["index"])]
    assert xs == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0]                     # inputs in index order, a gap of 1


def test_dot_layout_is_none_without_graphviz(monkeypatch):
    monkeypatch.setattr(report.shutil, "which", lambda name: None)
    assert report.dot_layout(program_graph(synth.Program.parse(CHAIN, 6))) is None


@pytest.mark.skipif(shutil.which("dot") is None, reason="graphviz's dot is not installed (apt package graphviz)")
def test_dot_layout_puts_inputs_below_the_output():
    G = program_graph(synth.Program.parse(CHAIN, 6))
    pos = report.dot_layout(G)
    assert pos is not None and set(pos) == set(G.nodes)
    out = [v for v in G.nodes if G.out_degree(v) == 0][0]
    assert all(pos[v][1] < pos[out][1] for v in G.nodes if v != out)
    inputs = sorted((v for v in G.nodes if G.nodes[v].get("op") == "input"), key=lambda v: G.nodes[v]["index"])
    assert len({pos[v][1] for v in inputs}) == 1                   # one rank
    assert [pos[v][0] for v in inputs] == sorted(pos[v][0] for v in inputs)
