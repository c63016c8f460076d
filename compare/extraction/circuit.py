"""`Circuit`: what an extraction method returns -- a `synth.Program` plus how it maps onto the network."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Circuit"]


@dataclass(frozen=True, eq=False)
class Circuit:
    """A network written as a program in the synthesizer's DSL, with an honest fidelity.

    Attributes
    ----------
    program : the whole circuit as one `synth.Program` over the task's ``n_inputs`` inputs.
    fidelity : agreement of ``program`` with the network's own labels on ``n_points`` domain points
        (the whole domain when ``exhaustive``); below 1 is reported as it is.
    support : sorted input indices the program reads.
    neurons : kept hidden neurons as (layer, index) pairs, layers counted from 0.
    n_edges : kept weights (edges between inputs / kept neurons / the output).
    neuron_refs : (layer, index) -> ref in ``nodes`` of the gate (or input) computing that neuron's bit.
    nodes, output : the node list handed to ``synth.Program.from_nodes`` (before any canonical renumbering).
    neuron_programs : (layer, index) -> (parent refs, minimal program of the neuron's bit over its parents);
        for a neuron with several levels, its first (lowest-threshold) bit.
    level_programs : ((layer, index), level) -> (parent refs, program) for every bit of every neuron.
    thresholds : (layer, index) -> sorted thresholds on the post-activation (bit = activation > threshold);
        one per neuron unless a single bit could not reach fidelity 1 (then up to ``max_levels``).
    exact : whether every per-neuron synthesis was exact (a budget ran out otherwise).
    deterministic : False when the wall-clock valve of a per-neuron synthesis fired (the circuit then
        depends on machine speed).
    method : name of the extraction method; ``domain_note`` says which points were used.
    """

    program: Any
    fidelity: float
    support: tuple[int, ...]
    neurons: tuple[tuple[int, int], ...]
    n_edges: int
    n_points: int
    exhaustive: bool
    method: str
    basis: str
    exact: bool = True
    deterministic: bool = True
    pruned_fidelity: float = 1.0
    neuron_refs: dict = field(default_factory=dict)
    nodes: tuple = ()
    output: int | None = None
    neuron_programs: dict = field(default_factory=dict)
    thresholds: dict = field(default_factory=dict)
    level_programs: dict = field(default_factory=dict)
    domain_note: str = ""
    seconds: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def n_neurons(self) -> int:
        """Number of kept hidden neurons."""
        return len(self.neurons)

    @property
    def n_gates(self) -> int:
        """Cost of the program in its basis (``program.size``)."""
        return int(self.program.size)

    @property
    def table(self) -> int:
        """Truth table of the circuit's program."""
        return int(self.program.truth_table())

    def summary(self) -> dict[str, Any]:
        """JSON-able summary: sizes, support, fidelity, program text (``seconds`` is the one wall-clock
        figure)."""
        return {"method": self.method, "basis": self.basis, "program": str(self.program),
                "fidelity": self.fidelity, "pruned_fidelity": self.pruned_fidelity,
                "support": list(self.support), "neurons": [list(nu) for nu in self.neurons],
                "n_neurons": self.n_neurons, "n_edges": self.n_edges, "n_gates": self.n_gates,
                "n_points": self.n_points, "exhaustive": self.exhaustive, "exact": self.exact,
                "deterministic": self.deterministic,
                "domain_note": self.domain_note, "seconds": self.seconds}

    def __repr__(self) -> str:
        return (f"Circuit({self.program}, fidelity={self.fidelity:.4g}, support={list(self.support)}, "
                f"neurons={self.n_neurons}, edges={self.n_edges}, gates={self.n_gates}, method={self.method!r})")
