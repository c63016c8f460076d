"""`net_function`: what a Boolean network computes on its whole domain, and the minimal program for it.

This needs no structural extraction: the network's labels on all 2**n inputs are its function. The
function's support (inputs whose flip changes some label) is found exactly; the minimal program is
synthesised over the support only (a function of 3 of 20 inputs is a 3-input synthesis problem) by
`function_min_program`, within a work budget (`FUNCTION_BUDGET` units by default), so the answer is the
same on any machine.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

import synth

from ..errors import CompareError
from ..networks.nets import as_mlp
from ..networks.tasks import Task, table_from_labels

__all__ = ["NetFunction", "net_function", "embed_program", "MinProgram", "function_min_program",
           "function_support", "FUNCTION_BUDGET", "memo_synthesize"]

_MAX_EXHAUSTIVE = 20
MEMO_ENTRIES = 64     # results `memo_synthesize` keeps
# work units for the minimal program of one function (see synth.budget): about 2 CPU seconds on the
# reference machine (2 shared cores; about 15 million units per CPU second on the default cases)
FUNCTION_BUDGET = 30_000_000


@dataclass(frozen=True)
class MinProgram:
    """A minimal program for a function given by its labels (`function_min_program`): the program (None
    when none was synthesised), whether its size is proven minimal, a note, and whether the result is
    deterministic (False when the wall-clock valve fired)."""

    program: Any
    exact: bool
    note: str = ""
    deterministic: bool = True
    lower_bound: int = 0      # proven: no program of the function is smaller
    bounds: Any = None        # the search's `synth.KnownBounds` (for the function on its support), if any


@dataclass(frozen=True, eq=False)
class NetFunction:
    """A network's Boolean function on the whole domain.

    ``table`` is its truth table over all ``n_inputs``; ``support`` the inputs it depends on;
    ``program`` a minimal program for it (over all inputs; None when not synthesised), ``min_size`` its
    size in ``basis``, ``exact`` whether synthesis proved minimality; ``target_agreement`` the fraction of
    the domain where it equals the task's target (None when the target is not known on the whole domain,
    a task made `from_examples`), ``train_acc`` / ``test_acc`` on the task's split (``test_acc`` NaN when
    no held-out label is known).
    """

    table: int
    n_inputs: int
    support: tuple[int, ...]
    program: Any
    min_size: int | None
    exact: bool
    basis: str
    target_agreement: float | None
    train_acc: float
    test_acc: float
    labels: np.ndarray = field(repr=False)
    note: str = ""

    def equals_target(self, task: Task) -> bool | None:
        """True when the network computes the task's target on every input (None: the target is unknown
        somewhere, so nobody can tell)."""
        if not task.target_known:
            return None
        return self.table == task.table


def embed_program(program: Any, n_inputs: int, inputs: list[int] | tuple[int, ...], *,
                  basis: str | None = None) -> Any:
    """The program read over ``n_inputs`` inputs, its input i renamed to ``inputs[i]``
    (`synth.Program.embedded`)."""
    k = program.n_inputs
    if len(inputs) != k:
        raise CompareError(f"embed_program: program has {k} inputs but {len(inputs)} input indices were given")
    return program.embedded(n_inputs, inputs, basis=basis)


def _labels(model: Any, task: Task, chunk: int = 1 << 16) -> np.ndarray:
    """Labels on the whole domain, computed in float64 (as extraction does) on a copy of the model (read
    by `compare.networks.nets.as_mlp`: any network of Linear layers and elementwise activations)."""

    import torch


    net = copy.deepcopy(as_mlp(model, task)).double().eval()
    out = np.empty(task.domain_size, dtype=bool)
    with torch.no_grad():
        for s in range(0, task.domain_size, chunk):
            idx = np.arange(s, min(s + chunk, task.domain_size))
            X = task.encode(task.inputs(idx)).double()
            out[s:s + len(idx)] = (net(X) > 0).numpy()
    return out


def function_support(labels: np.ndarray, n: int) -> tuple[int, ...]:
    """Inputs whose flip changes some label (labels on the whole Boolean domain of n inputs)."""
    t = np.arange(1 << n, dtype=np.int64)
    return tuple(i for i in range(n) if np.any(labels != labels[t ^ (1 << i)]))


def net_function(model: Any, task: Task | None = None, *, basis: str = "xag", synthesize: bool = True,
                 max_support: int = 10, budget: int | None = FUNCTION_BUDGET,
                 budget_s: float | None = None) -> NetFunction:
    """The network's truth table on the whole Boolean domain and a minimal program for it (via
    `function_min_program`: ``budget`` work units, ``budget_s`` an optional wall-clock valve).

    ``model``: a `TrainedNet`, an `MLP`, or any ``torch.nn.Module`` that `compare.networks.nets.as_mlp` reads
    (``nn.Linear`` layers and elementwise activations, one logit or two classes)."""
    task = task if task is not None else getattr(model, "task", None)
    model = getattr(model, "model", model)
    if task is None:
        raise CompareError("net_function: give the task")
    if task.domain != "bool":
        raise CompareError(f"net_function: task {task.name!r} is a Z_p task (Boolean tasks only)")
    n = task.n_inputs
    if n > _MAX_EXHAUSTIVE:
        raise CompareError(f"net_function: enumerates all 2**n inputs; n={n} exceeds {_MAX_EXHAUSTIVE}")
    labels = _labels(model, task)
    support = function_support(labels, n)
    table = table_from_labels(labels)
    program, size, exact, note = None, None, False, ""
    if synthesize:
        mp = function_min_program(labels, task, basis=basis, max_support=max_support, budget=budget,
                                  budget_s=budget_s)
        program, exact, note = mp.program, mp.exact, mp.note
        size = int(program.size) if program is not None else None
    tr = float((labels[task.train_idx] == task.labels[task.train_idx]).mean())
    te_idx = task.test_idx if task.known is None else task.test_idx[task.known[task.test_idx]]
    te = float((labels[te_idx] == task.labels[te_idx]).mean()) if len(te_idx) else float("nan")
    agree = float((labels == task.labels).mean()) if task.target_known else None
    return NetFunction(table=table, n_inputs=n, support=support, program=program, min_size=size, exact=exact,
                       basis=basis, target_agreement=agree, train_acc=tr, test_acc=te, labels=labels, note=note)


def memo_synthesize(memo: dict | None, spec: synth.Spec, **kw: Any) -> synth.SynthesisResult:
    """`synth.synthesize(spec, **kw)`, reused from ``memo`` (a dict the caller keeps) for an equal spec and
    equal arguments. Only searches without a wall-clock valve are kept: they are functions of their input,
    so a reused result is the one a new search would give, and only the time differs (the seeds of a case
    with a fixed split share one spec, and often their networks share one function). Callers must not
    change the result. The memo keeps the MEMO_ENTRIES newest results (a run of many seeds with
    per-seed splits would otherwise hold every seed's search)."""
    if memo is None or kw.get("budget_s") is not None:
        return synth.synthesize(spec, **kw)
    key = (spec.digest(), tuple(sorted((k, repr(v)) for k, v in kw.items())))
    if key not in memo:
        memo[key] = synth.synthesize(spec, **kw)
        while len(memo) > MEMO_ENTRIES:
            del memo[next(iter(memo))]          # the oldest
    return memo[key]


def function_min_program(labels: np.ndarray, task: Task, *, basis: str = "xag", mode: str = "formula",
                         max_support: int = 10, budget: int | None = FUNCTION_BUDGET,
                         budget_s: float | None = None, memo: dict | None = None,
                         known: Sequence[synth.KnownBounds] = ()) -> MinProgram:
    """A minimal program for a function given by its labels on the task's whole domain.

    Boolean: synthesised over the function's support only, then read over all inputs. Z_p: synthesised
    from all p^2 points in the ``zp`` basis. ``budget``: work units of the synthesis (`synth.synthesize`);
    when it runs out the program is a consistent upper bound and ``exact`` is False. ``budget_s``: an
    optional wall-clock valve (when it fires, ``deterministic`` is False). ``memo``: see `memo_synthesize`.
    ``known``: bounds proven in other bases (``MinProgram.bounds`` of earlier calls); those of this
    function's search are carried to ``basis`` (`synth.synthesize`'s ``known``), the others ignored.
    """

    labels = np.asarray(labels)
    if task.domain == "zp":
        spec = synth.Spec.from_examples(task.inputs(), labels.astype(np.int64), p=task.p,
                                        source=f"function on the whole Z_{task.p} domain")
        res = memo_synthesize(memo, spec, basis="zp", top_k=1, slack=0, budget=budget, budget_s=budget_s)
        if not res.shortest:
            return MinProgram(None, False, "no program found within the budget; " + "; ".join(res.notes),
                              res.deterministic, int(res.lower_bound))
        return MinProgram(res.shortest[0], bool(res.exact), "; ".join(res.notes), res.deterministic,
                          int(res.lower_bound))
    n = task.n_inputs
    sup = function_support(labels.astype(bool), n)
    k = len(sup)
    if k == 0:
        return MinProgram(synth.Program.from_nodes(n, [("1" if labels[0] else "0", ())], basis=basis), True)
    if k > max_support:
        # not synthesised, but bounded: a program that reads k inputs through gates of at most a inputs
        # (connected to its one output) has at least (k - 1) / (a - 1) gates
        b = synth.get_basis(basis)
        arity = max((synth.GATES[g].arity for g, c in b.costs.items() if c > 0), default=2)
        arity = max(arity, 2)
        lower = -(-(k - 1) // (arity - 1))
        return MinProgram(None, False, f"support of {k} inputs exceeds max_support={max_support} (so at least "
                          f"{lower} gates of at most {arity} inputs)", True, lower)
    idx = np.zeros(1 << k, dtype=np.int64)      # points with every input outside the support 0
    for j, i in enumerate(sup):
        idx |= ((np.arange(1 << k) >> j) & 1) << i
    sub = table_from_labels(labels[idx].astype(bool))
    spec = synth.Spec.from_table(sub, k)
    digest = spec.digest(examples_only=True)
    mine = tuple(kb for kb in known if kb is not None and kb.spec_digest == digest and kb.basis != basis)
    res = memo_synthesize(memo, spec, basis=basis, mode=mode, top_k=1, slack=0, budget=budget, budget_s=budget_s,
                          **({"known": mine} if mine else {}))
    bounds = synth.KnownBounds.of(res)
    if not res.shortest:
        return MinProgram(None, False, "no program found within the budget; " + "; ".join(res.notes),
                          res.deterministic, int(res.lower_bound), bounds)
    return MinProgram(embed_program(res.shortest[0], n, list(sup), basis=basis), bool(res.exact),
                      "; ".join(res.notes), res.deterministic, int(res.lower_bound), bounds)
