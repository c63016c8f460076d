"""The structure of a program as a graph, shared by the comparison (`compare.analysis.matching`: isomorphism,
graph edit distance) and the figures of a report (`compare.runs.report`)."""

from __future__ import annotations

from typing import Any

__all__ = ["program_graph"]


def program_graph(program: Any) -> Any:
    """The program's DAG (``program.to_networkx()``) restricted to the outputs' ancestors: the inputs that
    matter and the reachable gates; a networkx DiGraph."""
    import networkx as nx

    G = program.to_networkx()
    outs = [v for v in G.nodes if G.out_degree(v) == 0 and G.nodes[v].get("op") != "input"]
    keep = set()
    for o in outs:
        keep |= nx.ancestors(G, o) | {o}
    return G.subgraph(keep).copy()
