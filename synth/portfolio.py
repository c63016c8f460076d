"""`synth.synthesize` (this module is `synth.portfolio`): the shortest programs consistent with a Spec, a size/error frontier and a posterior.

Two modes. **formula**: programs are trees; level-by-level enumeration (`synth.enumerate`) gives the
exact minimum formula size. **circuit**: gates may be shared; for n <= 4 inputs the exact minimum
circuit size of every function comes from `synth.circuits` (NPN classes solved once), and the best
consistent completion of the data is read off; for more inputs the minimum formula is an upper bound and
`synth.circuit_search` proves what it can below it.

**Budgets count work.** One `synth.budget.Budget` (``budget`` work units, an optional wall-clock valve
``budget_s``, a memory cap ``max_entries``) is shared by every engine of one call, and each engine charges
it after deterministic chunks of work, so the same spec and budget give the same result on any machine
under any load. ``stats["budget"]`` records the work used, the candidates, the SAT conflicts and the
limit that fired; when the valve fired, ``deterministic`` is False and a note says the result depends
on machine speed.

**An unfinished search still answers.** When no consistent program was found within the budget (and
``max_size`` does not bound the search), a cheap construction that needs no search gives a consistent
upper bound (`upper_bound`: Shannon decomposition with small exact leaves, or the xag program
translated gate by gate); it has its own fixed allowance of work (`FALLBACK_WORK`) and runs even after
the budget is spent. The result then holds the proven ``lower_bound`` and that program (``min_size``,
``exact=False``).

**Bounds from other bases.** ``known`` takes what searches of the same spec in other bases proved
(`synth.transfer.KnownBounds`): a lower bound that carries (e.g. from xag to aon, plus the NOTs Markov's
bound demands) and a program translated gate by gate. They enter after the first engine, before the
restriction and SAT stages, which then start from the higher lower bound; a minimum they settle has
``proved_by == "transfer"``.

>>> from synth import Spec, synthesize
>>> r = synthesize(Spec.from_table(0x96, 3), basis="xag")
>>> r.min_size, r.exact, [str(p) for p in r.shortest]
(2, True, ['xor(x0, xor(x1, x2))'])
>>> r = synthesize(Spec.from_table(0x96, 3), basis="aon", budget=2000)     # stopped early
>>> r.exact, r.lower_bound <= 11 <= r.min_size, r.stats["budget"]["fired"]
(False, True, 'work')
"""

from __future__ import annotations

import math
import resource
import time
from typing import Callable, Sequence

import numpy as np

from .budget import DEFAULT_MAX_ENTRIES, DEFAULT_WORK, VALVE_NOTE, Budget, BudgetExceeded, as_budget
from .circuit_search import small_circuit_search
from .census_store import circuit_census
from .circuits import exact_circuits
from .decompose import shannon_upper_bound, translate
from .dsl import Basis, Program, get_basis
from .enumerate import Enumerator
from .errors import SynthError
from .posterior import min_bits_for_size, truncation_bound, unseen_count_log2
from .restriction import MAX_CORE, read_limits, restriction_bound
from .result import ConsistentFunction, FrontierEntry, SynthesisResult, pareto, saturation_note
from .sat import sat_basis_check, sat_minimum
from .semantics import pack_bits, popcount, unpack_bits
from .simplify import simplify_negations
from .transfer import KnownBounds, check_known, transfer_bounds
from .spec import Spec
from .zp import synthesize_zp

__all__ = ["synthesize", "upper_bound", "SynthesisResult", "FrontierEntry", "ConsistentFunction", "MODES",
           "FALLBACK_WORK"]

MODES = ("formula", "circuit")
CENSUS_INPUTS = 4  # circuit mode is exact through the census up to this many inputs
MAX_CONSISTENT = 20_000  # consistent functions kept (each gets a program) in one formula search
FALLBACK_WORK = 1_000_000  # work units of the upper-bound construction (its own allowance: well under 1 s)
LEAF_SIZE = 3  # exact leaves of the Shannon decomposition have at most this size
# The portfolio's split of the work: the mode's own engine (enumerator or census) gets this share of a
# limited budget, at most ENUMERATOR_WORK units (all of an unlimited one gets that), and SAT the rest.
# Measured on the default cases and bench/synth_bench.py: the enumerator settles sizes up to 4-6 within a
# few million units, and beyond that each further size costs it about ten times more while SAT's cost
# grows slowly (the multiplexer among 8 inputs, xag: a quarter of 5e9 units kept the enumerator busy
# for about 4 minutes and 1.8 GB without a new size, where the restriction bound then needed 2 minutes).
ENUMERATOR_SHARE = 0.25
ENUMERATOR_WORK = 300_000_000
# sizes below a lower bound carried from another basis that the SAT walk still refutes, at most: they
# warm its session up. The multiplexer case's 128 examples in aon, read limits, the bound 11 carried
# from xag: the walk 7..11 refuted 11 in 1.04 M conflicts (1.71 M in all), a walk from 11 alone in 2.89 M
# (and in more than 10 CPU min with every example in its first instance). With less work left than
# WARM_WORK (about a million conflicts) the walk starts at the carried bound: the warm-up would use it up.
WARM_SIZES = 4
WARM_WORK = 1_000_000_000
# which engine proved a minimum found by each mode's own search: (mode, n <= CENSUS_INPUTS) -> name
_ENGINE_NAMES = {("formula", True): "enumerator", ("formula", False): "enumerator",
                 ("circuit", True): "census", ("circuit", False): "enumerator+circuit_search"}


def synthesize(spec: Spec, *, basis: str | Basis = "xag", mode: str = "formula",
               max_size: int | None = None, top_k: int = 10, budget: Budget | int | None = DEFAULT_WORK,
               budget_s: float | None = None, slack: int = 1, max_entries: int = DEFAULT_MAX_ENTRIES,
               sat: bool = True, progress: Callable[[str], None] | None = None,
               known: Sequence[KnownBounds] = ()) -> SynthesisResult:
    """Shortest consistent programs of a spec (see module docstring).

    Parameters
    ----------
    spec : the examples and held-out queries (`Spec`).
    basis : a basis name from `synth.BASES` or a `Basis`; sizes are costs in it.
    mode : "formula" (trees) or "circuit" (shared gates).
    max_size : search no further than this size; default: the minimum size plus ``slack``. A search
        bounded by ``max_size`` gets no upper-bound construction beyond it.
    top_k : how many shortest programs to return (one per distinct consistent function).
    budget : work units (an int; default `DEFAULT_WORK`, about 40 CPU seconds), a shared
        `synth.budget.Budget`, or None (no limit on work: a hard spec may then run for hours). When it
        runs out the result has ``exact=False``, a proven ``lower_bound`` and a consistent program.
    budget_s : optional wall-clock safety valve in seconds; when it fires the result says so
        (``deterministic=False``, a note): it then depends on machine speed.
    slack : how many sizes beyond the minimum to enumerate for the posterior (when max_size is None).
    max_entries : memory budget, in stored signatures.
    sat : run the portfolio (the enumerator or census within `ENUMERATOR_SHARE` of the work, then the SAT
        engine on the sizes left open). False: the enumerator alone with the whole budget, for callers that
        need every consistent function up to the minimum plus ``slack`` (a posterior over them) rather
        than a proof of the minimum.
    progress : called with a line of text after each level (for long runs).
    known : bounds proven for the same spec in other bases (`synth.transfer.KnownBounds`, e.g.
        ``KnownBounds.of(synthesize(spec, basis="xag"))``); see the module docstring. Bounds of another
        spec are an error.
    """
    if not isinstance(spec, Spec):
        raise SynthError(f"synthesize needs a synth.Spec, got {type(spec).__name__}")
    if not isinstance(sat, bool):
        raise SynthError(f"sat must be True or False, got {sat!r}")
    b = get_basis(basis)
    if mode not in MODES:
        raise SynthError(f"mode must be one of {MODES}, got {mode!r}")
    for name, v, lo in (("top_k", top_k, 1), ("slack", slack, 0)):
        if not isinstance(v, int) or isinstance(v, bool) or v < lo:
            raise SynthError(f"{name} must be an int >= {lo}, got {v!r}")
    if max_size is not None and (not isinstance(max_size, int) or isinstance(max_size, bool) or max_size < 0):
        raise SynthError(f"max_size must be an int >= 0, got {max_size!r}")
    known = check_known(spec, known)    # before any search: bounds of another spec are the caller's mistake
    bud = as_budget(budget, budget_s, max_entries)
    t0 = time.perf_counter()
    if spec.n_outputs > 1:
        if not sat:
            raise SynthError("a spec of several outputs is synthesised by the SAT engine only; sat=False "
                             "leaves no engine for it")
        if spec.p is not None or b.domain != "bool":
            raise SynthError(f"a spec of several outputs is synthesised as one Boolean circuit; basis {b.name!r} "
                             f"and this spec ({'Z_%d' % spec.p if spec.p else 'Boolean'}) do not allow it")
        res = _several_outputs(spec, b, mode, max_size=max_size, budget=bud, progress=progress)
        if known:
            res.notes.append("bounds from other bases are not carried to a spec of several outputs")
    elif spec.p is not None or b.domain != "bool":
        if spec.p is None or b.domain != "zp":
            raise SynthError(f"basis {b.name!r} is for the {b.domain} domain but the spec is "
                             f"{'Boolean' if spec.p is None else f'Z_{spec.p}'}")
        res = synthesize_zp(spec, basis=b, max_size=max_size, top_k=top_k, budget=bud, slack=slack,
                            progress=progress)
        res.proved_by = "enumerator" if res.exact else None
        if known:
            res.notes.append("bounds from other bases are not carried to a Z_p spec")
    else:
        # the portfolio: the mode's engine (enumerator, census) proves the small sizes within its share
        # of the budget; an unfinished search gets a consistent upper bound; SAT then takes the sizes
        # between the proven lower bound and that bound with the rest of the budget
        left = bud.remaining()
        share = ENUMERATOR_WORK if left is None else max(1, min(int(left * ENUMERATOR_SHARE), ENUMERATOR_WORK))
        res = _ENGINES[mode](spec, b, max_size=max_size, top_k=top_k, slack=slack,
                             budget=bud.sub(share) if sat else bud, progress=progress, after_minimum=bud)
        res.proved_by = _ENGINE_NAMES[mode, spec.n_inputs <= CENSUS_INPUTS] if res.exact else None
        # a complete enumeration without a consistent function: the basis cannot build one at any size
        impossible = res.min_size is None and res.stats.get("saturated", False)
        if res.min_size is None and max_size is None and not impossible:
            _add_upper_bound(res, spec, b)
        if known and not res.exact and not impossible:
            _transfer_stage(res, spec, b, mode, known, max_size=max_size, progress=progress)
        if sat and not res.exact and mode == "formula" and res.min_size is not None:
            _restriction_stage(res, spec, b, max_size=max_size, budget=bud, progress=progress)
        if sat and not res.exact and not impossible:
            _sat_stage(res, spec, b, mode, max_size=max_size, budget=bud, progress=progress)
    res.basis_costs = dict(b.costs)
    res.stats["budget"] = bud.as_dict()
    if not bud.deterministic:
        res.deterministic = False
        res.notes.append(VALVE_NOTE)
    res.stats["seconds"] = round(time.perf_counter() - t0, 6)
    res.stats["peak_memory_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return res


# ------------------------------------------------------------------------------------------------------
# formula mode
# ------------------------------------------------------------------------------------------------------

def _pack_spec(spec: Spec) -> tuple[np.ndarray, int, np.ndarray, np.ndarray, np.ndarray]:
    """Packed inputs on the search points, their number, packed outputs, care mask, query positions."""
    pts = spec.points()
    m = len(pts)
    inputs = pack_bits(pts.T.astype(bool))
    ybits = np.zeros(m, dtype=bool)
    ybits[:spec.n_examples] = spec.y.astype(bool)
    carebits = np.zeros(m, dtype=bool)
    carebits[:spec.n_examples] = True
    index = {r.tobytes(): i for i, r in enumerate(pts)}
    qpos = np.array([index[r.tobytes()] for r in spec.queries], dtype=np.int64)
    return inputs, m, pack_bits(ybits), pack_bits(carebits), qpos


def _truncation(spec: Spec, b: Basis, consistent: list[ConsistentFunction], searched: int, m: int) -> float:
    """Bound on the posterior share of consistent functions not enumerated (their size > searched)."""
    n_unseen = unseen_count_log2(2, m - spec.n_examples, len(consistent))
    unseen_bits = min_bits_for_size(searched + 1, spec.n_inputs, b)
    return truncation_bound(np.array([c.bits for c in consistent]), n_unseen, unseen_bits)


def _formula_search(spec: Spec, b: Basis, *, max_size: int | None, top_k: int, slack: int, budget: Budget,
                    progress=None, after_minimum: Budget | None = None) -> SynthesisResult:
    """Level-by-level enumeration. ``after_minimum``: the budget to go on with once the minimum is found
    (the portfolio gives the enumerator a share for the proof, and the whole budget for the sizes
    beyond it that the posterior and the ties need: SAT has nothing left to do then)."""
    inputs, m, y, care, qpos = _pack_spec(spec)
    en = Enumerator(inputs, m, b, budget=budget, progress=progress)
    ncare = spec.n_examples
    found: dict[bytes, tuple[int, Program]] = {}   # consistent signature -> (size, program)
    frontier: list[FrontierEntry] = []
    min_size: int | None = None
    searched = -1
    exact = True
    saturated = False
    notes: list[str] = []

    def record_level(s: int) -> None:
        lv = en.levels[s]
        if not len(lv):
            return
        err = popcount((lv.sigs ^ y) & care)
        negate = np.zeros(len(err), dtype=bool)
        if en.free_not:
            err_c = ncare - err
            negate = err_c < err
            err = np.minimum(err, err_c)
        best = int(np.argmin(err))
        frontier.append(FrontierEntry(s, int(err[best]), en.program(s, best, negate=bool(negate[best]))))
        for i in np.nonzero(err == 0)[0][:max(0, MAX_CONSISTENT - len(found))]:
            sig = lv.sigs[i] ^ (en.valid if negate[i] else np.uint64(0))
            if sig.tobytes() not in found:
                found[sig.tobytes()] = (s, en.program(s, int(i), negate=bool(negate[i])))

    def stop_size() -> int | None:
        if max_size is not None:
            return max_size
        return None if min_size is None else min_size + slack

    try:
        s = 0
        en.build_level(0)
        record_level(0)
        searched = 0
        if found:
            min_size = 0
            if after_minimum is not None:
                en.budget = after_minimum
        while True:
            limit = stop_size()
            if limit is not None and s >= limit:
                break
            s += 1
            last = limit is not None and s == limit
            if last or min_size is None:
                # the size is searched for the target without building the level (meet in the middle)
                hits = en.consistent_at(s, y, care)
                new = [(sig, rec) for sig, rec in hits
                       if en.seen.new_mask(en._normalise(sig[None, :].copy())[0])[0]]
                if new and min_size is None:
                    min_size = s
                    last = stop_size() == s
                    if after_minimum is not None:
                        en.budget = after_minimum
                for sig, rec in new:   # recorded now, so a budget running out later loses nothing
                    negate = bool(((sig ^ y) & care).any())
                    val = sig ^ (en.valid if negate else np.uint64(0))
                    if val.tobytes() not in found and len(found) < MAX_CONSISTENT:
                        found[val.tobytes()] = (s, en.program_from_recipe(rec, sig, negate))
                if last:
                    if new:
                        frontier.append(FrontierEntry(s, 0, found[_first_key(found, s)][1]))
                    searched = s
                    break
            en.build_level(s)
            record_level(s)
            searched = s
            if min_size is None and any(v[0] == s for v in found.values()):
                min_size = s
                if after_minimum is not None:
                    en.budget = after_minimum
            if (limit is None or s < limit) and en.saturated():
                # every signature the basis builds on these points is enumerated: larger sizes add none
                last = max(i for i, lv in enumerate(en.levels) if len(lv))
                notes.append(saturation_note(b.name, "function", last, s, min_size is not None))
                saturated = True
                break
    except BudgetExceeded as e:
        # a minimum found before the budget ran out is still proven (every smaller size was complete)
        exact = min_size is not None
        notes.append(f"search stopped: {e}; sizes up to {searched} were searched completely"
                     + ("" if min_size is None else "; the minimum size is proven, ties and the posterior "
                        "may be incomplete"))
    if len(found) >= MAX_CONSISTENT:
        notes.append(f"more than {MAX_CONSISTENT} consistent functions: the first {MAX_CONSISTENT} are kept "
                     "(the posterior covers those; see truncation_mass)")
    consistent = _consistent_list(found, spec, qpos, m)
    shortest = [c.program for c in consistent if c.size == min_size][:top_k]
    lower = min_size if (min_size is not None and exact) else searched + 1
    if min_size is None:
        exact = False
        notes.append(f"no consistent program of size <= {searched} in basis {b.name!r} (lower bound "
                     f"{searched + 1})")
    frontier = pareto(frontier)
    stats = {"candidates": int(en.candidates), "distinct_functions": int(en.seen.count),
             "levels": [len(lv) for lv in en.levels], "points": m}
    if saturated:
        stats["saturated"] = True          # every function the basis builds on the points was enumerated
    # a complete enumeration leaves no consistent function unseen (unless the list was capped)
    trunc = 0.0 if saturated and len(found) < MAX_CONSISTENT else _truncation(spec, b, consistent, searched, m)
    return SynthesisResult(spec, b.name, "formula", min_size, shortest, frontier, consistent, exact,
                           searched, trunc, stats, notes, lower_bound=lower)


def _first_key(found: dict, s: int) -> bytes:
    return next(k for k, v in found.items() if v[0] == s)


def _consistent_list(found: dict, spec: Spec, qpos: np.ndarray, m: int) -> list[ConsistentFunction]:
    out = []
    for key, (size, prog) in found.items():
        sig = np.frombuffer(key, dtype=np.uint64)
        bits = unpack_bits(sig, m)
        out.append(ConsistentFunction(size, prog, bits[qpos].astype(np.uint8)))
    out.sort(key=lambda c: (c.size, c.bits, str(c.program)))
    return out


# ------------------------------------------------------------------------------------------------------
# the upper bound of an unfinished search
# ------------------------------------------------------------------------------------------------------

def upper_bound(spec: Spec, basis: str | Basis, *, mode: str = "formula",
                work: int = FALLBACK_WORK) -> tuple[Program, dict]:
    """A consistent program for a Boolean spec, built with at most ``work`` units of search, and the
    budget it used (``as_dict``). The smaller of two constructions:

    - Shannon decomposition (`synth.decompose.shannon_upper_bound`) whose leaves are exact minimum
      formulas of at most `LEAF_SIZE` while the work lasts, and constants (an if-then-else tree that
      needs no search) after;
    - outside xag, the minimum xag formula (searched with half of the work) translated gate by gate
      (operands shared in circuit ``mode``, copied in formula mode).

    Both search the examples only (held-out queries do not constrain it). The work allowance is fixed,
    not a share of the caller's budget, so the program is the same whatever the caller's budget was.

    >>> p, used = upper_bound(Spec.from_table(0x96, 3), "aon", work=50_000)
    >>> p.truth_table() == 0x96, p.size >= 11
    (True, True)
    """
    b = get_basis(basis)
    fb = Budget(work=work)
    if spec.n_queries:            # consistency is on the examples: searching the queries too costs work
        spec = Spec.from_examples(spec.X, spec.y, source=spec.source)
    best: Program | None = None
    if b.name != "xag":
        try:
            r = _formula_search(spec, get_basis("xag"), max_size=None, top_k=1, slack=0,
                                budget=fb.sub(work // 2))
            if r.shortest:
                best = translate(r.shortest[0], b, tree=mode == "formula")
        except SynthError:
            pass  # a basis that cannot express some xag gate: the decomposition alone

    def leaf(X: np.ndarray, y: np.ndarray) -> Program | None:
        if fb.exhausted():
            return None
        r = _formula_search(Spec.from_examples(X, y), b, max_size=LEAF_SIZE, top_k=1, slack=0, budget=fb)
        return r.shortest[0] if r.shortest and r.exact else None

    dec = shannon_upper_bound(spec, b, leaf=leaf)
    if best is None or dec.size < best.size:
        best = dec
    return best, fb.as_dict()


def _add_upper_bound(res: SynthesisResult, spec: Spec, b: Basis) -> None:
    """Give an unfinished result (no consistent program found) a consistent upper-bound program."""
    try:
        ub, used = upper_bound(spec, b, mode=res.mode)
    except SynthError as e:        # a user basis without the gates an if-then-else needs
        res.notes.append(f"no upper-bound construction in basis {b.name!r}: {e}")
        return
    if ub.size < res.lower_bound:   # a proven lower bound above a program that exists: a bug
        raise AssertionError(f"upper bound {ub.size} below the proven lower bound {res.lower_bound}")
    pts = spec.points()
    bits = unpack_bits(pack_bits(ub.evaluate(pts)), len(pts))
    _, m, _, _, qpos = _pack_spec(spec)
    res.consistent = [ConsistentFunction(ub.size, ub, bits[qpos].astype(np.uint8))]
    res.shortest = [ub]
    res.min_size = ub.size
    res.exact = False
    res.frontier = pareto(res.frontier + [FrontierEntry(ub.size, 0, ub)])
    res.truncation_mass = _truncation(spec, b, res.consistent, res.lower_bound - 1, m)
    res.stats["fallback"] = used
    res.notes.append(f"upper bound {ub.size} from Shannon decomposition with exact leaves or the xag program "
                     f"translated gate by gate (not proven minimal); the minimum is between "
                     f"{res.lower_bound} and {ub.size}")


# ------------------------------------------------------------------------------------------------------
# circuit mode for more inputs: formula upper bound + exact small-circuit search
# ------------------------------------------------------------------------------------------------------

def _circuit_by_search(spec: Spec, b: Basis, *, max_size, top_k, slack, budget: Budget,
                       progress) -> SynthesisResult:
    """n > 4: the shortest formula bounds the circuit size from above; `small_circuit_search` proves
    the minimum when it is small enough to reach within the budget (a formula is a circuit, so when
    the proven lower bound meets the formula size, the formula is a minimum circuit). The formula search
    gets half of the work, the circuit search the rest."""
    left = budget.remaining()
    res = _formula_search(spec, b, max_size=max_size, top_k=top_k, slack=0,
                          budget=budget.sub(None if left is None else max(1, left // 2)), progress=progress)
    res.mode = "circuit"
    upper = res.min_size
    cap = max_size if max_size is not None else (None if upper is None else upper - 1)
    if cap is not None and cap < 0:
        res.exact = res.exact and upper is not None
        return res
    cs = small_circuit_search(spec, b, max_cost=cap, budget=budget, progress=progress)
    _, m, _, _, qpos = _pack_spec(spec)
    if cs.min_size is not None and cs.exact and (upper is None or cs.min_size <= upper):
        outs = cs.outputs()
        consistent = [ConsistentFunction(cs.min_size, p, outs[i, qpos].astype(np.uint8))
                      for i, p in enumerate(cs.programs)]
        consistent.sort(key=lambda c: (c.bits, str(c.program)))
        res.min_size = cs.min_size
        res.shortest = [c.program for c in consistent][:top_k]
        res.consistent = consistent
        res.exact = True
        res.lower_bound = cs.min_size
        res.searched_size = cs.min_size - 1     # other consistent functions of this circuit size may exist
        res.frontier = pareto([e for e in res.frontier if e.size < cs.min_size] +
                               [FrontierEntry(cs.min_size, 0, consistent[0].program)])
        res.notes.append(f"minimum circuit size {cs.min_size} proven by the small-circuit search")
        res.truncation_mass = 1.0 if spec.n_queries else 0.0
        if spec.n_queries:
            res.notes.append("circuit mode beyond 4 inputs enumerates the minimum-size circuits only: the "
                             "posterior is over those functions (truncation mass bound 1)")
        return res
    res.notes += cs.notes
    proven = cs.lower_bound
    if upper is not None and proven >= upper:
        res.lower_bound = upper
        res.exact = True   # a formula is a circuit, and no smaller circuit exists
        res.searched_size = upper - 1   # consistent functions with a circuit (not a formula) of this size: not listed
        res.notes.append(f"no circuit smaller than the formula (size {upper}): it is a minimum circuit "
                         "(other minimum circuits computing other consistent functions may exist)")
        return res
    res.exact = False
    res.lower_bound = max(proven, 0)
    res.searched_size = res.lower_bound - 1
    if upper is not None:
        res.notes.append(f"circuit size between {res.lower_bound} (proven by the small-circuit search) and "
                         f"{upper} (the shortest formula found): not exact")
    return res


# ------------------------------------------------------------------------------------------------------
# circuit mode through the exact census (n <= 4)
# ------------------------------------------------------------------------------------------------------

def _circuit_by_census(spec: Spec, b: Basis, *, max_size, top_k, slack, budget: Budget,
                       progress) -> SynthesisResult:
    n = spec.n_inputs
    # the persistent census: shipped for the named bases, cached on disk for others, built within the
    # budget when neither (synth.census_store)
    table = circuit_census(b, n, budget=budget, progress=progress) if n >= 1 else \
        exact_circuits(n, b, budget=budget, progress=progress)
    m = 1 << n
    weights = 1 << np.arange(n, dtype=np.int64)
    tX = spec.X.astype(np.int64) @ weights
    ymask = int(sum(1 << int(t) for t, v in zip(tX, spec.y) if v))
    cmask = int(sum(1 << int(t) for t in tX))
    funcs = np.arange(1 << m, dtype=np.int64)
    ok = ((funcs ^ ymask) & cmask) == 0
    sizes = table.sizes.astype(np.int64)
    cand = funcs[ok]
    csize = sizes[ok]
    known = csize >= 0
    notes = []
    # functions of unknown size cost more than every complete level; known ones are exact
    complete = table.complete_level
    exact = bool(known.any())
    if not table.exact:
        done = f"costs up to {complete} are complete" if complete >= 0 else "no cost was complete"
        notes.append(f"the circuit census stopped ({table.note}); {done}")
    # a partial census may prove some classes above the lower bounds of others: the minimum is proven
    # only when no consistent function of unknown size could be cheaper (and a tie makes the list of
    # shortest functions incomplete)
    unknown_low = None
    if (~known).any():
        lowers = getattr(table, "lower", None)       # per-function bounds of a partial census
        unknown_low = int(lowers[cand[~known]].min()) if lowers is not None else complete + 1
        if known.any() and int(csize[known].min()) > unknown_low:
            exact = False
    cand, csize = cand[known], csize[known]
    if max_size is not None:
        keep = csize <= max_size
        cand, csize = cand[keep], csize[keep]
    tQ = spec.queries.astype(np.int64) @ weights if spec.n_queries else np.zeros(0, np.int64)
    order = np.lexsort((cand, csize))
    cand, csize = cand[order], csize[order]
    min_size = int(csize[0]) if len(csize) else None
    # consistent functions: every completion is enumerated; programs are built for the cheapest ones
    cap = 4096
    consistent = []
    for f, s in zip(cand[:cap], csize[:cap]):
        nodes, out = table.witness(int(f))
        prog = simplify_negations(Program(n, nodes, out, basis=b))
        q = ((int(f) >> tQ) & 1).astype(np.uint8) if len(tQ) else np.zeros(0, np.uint8)
        consistent.append(ConsistentFunction(int(s), prog, q))
    consistent.sort(key=lambda c: (c.size, c.bits, str(c.program)))
    trunc = 0.0
    if len(cand) > cap:
        found_bits = np.array([c.bits for c in consistent])
        trunc = truncation_bound(found_bits, math.log2(len(cand) - cap),
                                 min_bits_for_size(int(csize[cap]), n, b))
        notes.append(f"{len(cand)} consistent functions; programs built for the {cap} smallest")
    shortest = [c.program for c in consistent if c.size == min_size][:top_k]
    frontier = []
    if len(csize):
        # training errors per size: the best function of each size on the examples
        allsz = sizes
        errs_all = np.bitwise_count((funcs ^ ymask) & cmask)
        best = 1 << m                       # programs are built only where the error improves (the Pareto
        # front `_pareto` keeps), not for every size: a warm query builds a few witnesses, not one per size
        # (bincount, not np.unique: numpy 2's unique imports numpy.ma on first use, 15 ms of a cold query)
        for s in np.flatnonzero(np.bincount(allsz[allsz >= 0])).tolist():
            if min_size is not None and s > min_size:
                break
            idx = np.flatnonzero(allsz == s)
            i = int(idx[np.argmin(errs_all[idx])])
            if int(errs_all[i]) >= best:
                continue
            best = int(errs_all[i])
            nodes, out = table.witness(int(funcs[i]))
            frontier.append(FrontierEntry(s, best, simplify_negations(Program(n, nodes, out, basis=b))))
    stats = {"census_work": table.work, "consistent_functions": int(len(cand)), "points": m}
    if min_size is not None:
        if not exact:            # a consistent function of unknown size may be cheaper: bounds, then SAT
            notes.append(f"the census proves a consistent circuit of cost {min_size}; consistent functions of "
                         f"unproven cost may be cheaper (>= {unknown_low})")
            return SynthesisResult(spec, b.name, "circuit", min_size, shortest, pareto(frontier), consistent,
                                   False, unknown_low - 1, trunc, stats, notes, lower_bound=unknown_low)
        # every function of unknown cost costs at least unknown_low: when that is min_size, such ties are
        # not listed
        listed = min_size if unknown_low is None or unknown_low > min_size else min_size - 1
        return SynthesisResult(spec, b.name, "circuit", min_size, shortest, pareto(frontier), consistent,
                               exact, listed, trunc, stats, notes, lower_bound=min_size)
    proven_below = complete if unknown_low is None else max(complete, unknown_low - 1)
    searched = proven_below if max_size is None else min(proven_below, max_size)
    if max_size is None and not table.exact:
        # no consistent function of known cost: the census' best circuit so far bounds it from above
        up = table.upper if table.upper is not None else np.full(1 << m, -1)
        ucand = funcs[ok & (up >= 0)]
        if len(ucand):
            usize = up[ucand].astype(np.int64)
            f = int(ucand[np.lexsort((ucand, usize))[0]])
            nodes, out = table.upper_witness(f)
            prog = simplify_negations(Program(n, nodes, out, basis=b))
            q = ((f >> tQ) & 1).astype(np.uint8) if len(tQ) else np.zeros(0, np.uint8)
            notes.append(f"upper bound {prog.size} from the census' best circuit so far (not proven "
                         f"minimal); the minimum is between {searched + 1} and {prog.size}")
            return SynthesisResult(spec, b.name, "circuit", prog.size, [prog],
                                   pareto(frontier + [FrontierEntry(prog.size, 0, prog)]),
                                   [ConsistentFunction(prog.size, prog, q)], False, searched, trunc, stats,
                                   notes, lower_bound=searched + 1)
    if searched >= 0:
        notes.append(f"no consistent circuit of cost <= {searched} in basis {b.name!r}")
    return SynthesisResult(spec, b.name, "circuit", None, [], pareto(frontier), [], False, searched, trunc,
                           stats, notes, lower_bound=searched + 1)


# ------------------------------------------------------------------------------------------------------
# several outputs: one program whose outputs share gates (SAT only)
# ------------------------------------------------------------------------------------------------------

def _several_outputs(spec: Spec, b: Basis, mode: str, *, max_size: int | None, budget: Budget,
                     progress) -> SynthesisResult:
    """The SAT engine on all outputs at once (the enumerator searches one output). When it does not finish,
    the outputs' own shortest programs side by side (no gate shared) bound the size from above. No
    posterior: `consistent` is empty (the length prior is over one-output functions)."""
    sat_basis_check(b)
    if progress:
        progress(f"SAT on {spec.n_outputs} outputs")
    upper = None if max_size is None else max_size + 1
    sat = sat_minimum(spec, b, mode=mode, upper=upper, budget=budget)
    notes: list[str] = []
    prog = sat.program
    if prog is None and max_size is None:
        parts = [upper_bound(Spec.from_examples(spec.X, spec.y[:, j]), b, mode=mode)[0]
                 for j in range(spec.n_outputs)]
        prog = _side_by_side(parts, spec.n_inputs, b)
        notes.append(f"upper bound {prog.size} from each output's own program side by side (no shared gate; "
                     f"not proven minimal); the minimum is between {sat.lower_bound} and {prog.size}")
    exact = bool(sat.exact and prog is not None and prog.size == sat.min_size)
    lower = sat.min_size if exact else sat.lower_bound
    if exact:
        notes.append(f"minimum size {prog.size} of one circuit for all {spec.n_outputs} outputs, proven by "
                     "the SAT engine")
    elif prog is None:
        notes.append(f"no program of size <= {lower - 1} computes the {spec.n_outputs} outputs"
                     + ("" if sat.exact else " (the budget ran out before larger sizes were settled)"))
    res = SynthesisResult(spec, b.name, mode, None if prog is None else prog.size, [] if prog is None else [prog],
                          [], [], exact, lower - 1, 1.0, {"sat": {k: v for k, v in sat.as_dict().items()
                                                               if k != "program"}}, notes, lower_bound=lower,
                          proved_by="sat" if exact else None)
    return res


def _side_by_side(programs: list[Program], n: int, b: Basis) -> Program:
    """One program computing each of ``programs``' outputs (their nodes concatenated, refs shifted)."""
    nodes: list[tuple[str, tuple[int, ...]]] = []
    outs = []
    for p in programs:
        shift = len(nodes)
        nodes.extend((nd.op, tuple(a if a < n else a + shift for a in nd.args)) for nd in p.nodes)
        outs.append(p.outputs[0] if p.outputs[0] < n else p.outputs[0] + shift)
    return Program(n, nodes, outputs=tuple(outs), basis=b)


# ------------------------------------------------------------------------------------------------------
# the SAT stage of the portfolio
# ------------------------------------------------------------------------------------------------------

def _adopt(res: SynthesisResult, spec: Spec, prog: Program) -> None:
    """A consistent program cheaper than any in hand becomes the shortest one (and leads `consistent`)."""
    _, m, _, _, qpos = _pack_spec(spec)
    bits = np.asarray(prog.evaluate(spec.points()), dtype=np.uint8).reshape(-1)
    new = ConsistentFunction(prog.size, prog, bits[qpos])
    res.consistent = [new] + [c for c in res.consistent if not np.array_equal(c.query_outputs, new.query_outputs)]
    res.shortest = [prog]
    res.min_size = prog.size
    res.frontier = pareto([e for e in res.frontier if e.size < prog.size] + [FrontierEntry(prog.size, 0, prog)])


def _adopt_checked(res: SynthesisResult, spec: Spec, prog: Program, note: str) -> None:
    """`_adopt` a program that another stage built, after checking it fits every example."""
    bits = np.asarray(prog.evaluate(spec.X), dtype=np.int64).reshape(-1)
    if not np.array_equal(bits, spec.y.astype(np.int64).reshape(-1)):
        raise AssertionError(f"a program meant to be consistent does not fit the examples: {prog}")
    _adopt(res, spec, prog)
    res.notes.append(note)


def _raise_lower(res: SynthesisResult, spec: Spec, b: Basis, lower: int, engine: str, what: str,
                 reason: str) -> None:
    """A stage proved ``lower`` (above ``res.lower_bound``): raise it; when it meets the consistent program
    in hand, that program is a minimum proven by ``engine``. ``what``: how the notes name the proof."""
    if res.min_size is not None and lower > res.min_size:   # a proven bound above a program in hand: a bug
        raise AssertionError(f"{engine}: lower bound {lower} above a consistent program of size {res.min_size}")
    res.lower_bound = lower
    if lower == res.min_size:
        res.exact = True
        res.proved_by = engine
        res.searched_size = res.min_size - 1    # `consistent` need not hold every function of min_size
        res.notes.append(f"minimum size {res.min_size} proven by {what}: {reason}")
    else:
        res.notes.append(f"lower bound {lower} proven by {what}: {reason}")
        res.searched_size = max(res.searched_size, res.lower_bound - 1)
    _, m, _, _, _ = _pack_spec(spec)
    res.truncation_mass = _truncation(spec, b, res.consistent, res.lower_bound - 1, m)


def _transfer_stage(res: SynthesisResult, spec: Spec, b: Basis, mode: str, known: tuple, *,
                    max_size: int | None, progress) -> None:
    """Raise the proven lower bound and adopt a cheaper consistent program from the bounds proven in other
    bases (`synth.transfer.transfer_bounds`); when they meet, the minimum is proven. Updates ``res``."""
    t = transfer_bounds(spec, b, mode, known)
    res.stats["transfer"] = t.as_dict()
    used = False
    prog = t.program
    if prog is not None and (res.min_size is None or prog.size < res.min_size) and \
            (max_size is None or prog.size <= max_size):
        _adopt_checked(res, spec, prog, f"a consistent program of size {prog.size}: {t.program_reason}")
        used = True
    if t.lower > res.lower_bound:
        res.stats["transfer"]["raised_from"] = res.lower_bound
        if progress:
            progress(f"bounds from other bases: lower bound {t.lower}")
        _raise_lower(res, spec, b, t.lower, "transfer", "bounds from other bases", t.lower_reason)
        used = True
    if used and not all(k.deterministic for k in known):
        res.deterministic = False
        res.notes.append("bounds were carried from a search that a wall-clock valve stopped: this result "
                         "depends on machine speed")


def _restriction_stage(res: SynthesisResult, spec: Spec, b: Basis, *, max_size: int | None, budget: Budget,
                       progress) -> None:
    """Raise the proven lower bound of a formula search by restriction to the forced core of inputs
    (`synth.restriction`); when it meets the consistent program in hand, that program is a minimum.
    It runs before the SAT stage: with a core of up to MAX_CORE inputs it is a numpy pass per support;
    with 5 or 6 core inputs (xag, aig, full) it runs SAT on the core's slices (at most 64 rows each), which
    refutes sizes far faster than SAT on the whole spec, and it proves level by level, so a budget that
    runs out leaves the last level proven. A least formula over the core found there is adopted. Where
    NOT is a costed gate (aon, aoxn), a core of 5 or 6 inputs is left to SAT on the whole spec, which needs
    less work there (`bench/restriction_bench.py`, the multiplexer in aon: 1.9 M conflicts and 16 M
    clauses on the whole spec against 2.7 M and 42 M on the slices)."""
    target = res.min_size if max_size is None else min(res.min_size, max_size + 1)
    if spec.n_inputs <= MAX_CORE or res.lower_bound >= target or budget.exhausted():
        return                  # up to MAX_CORE inputs the enumerator and SAT are the right engines
    rb = restriction_bound(spec, b, target, known_lower=res.lower_bound, budget=budget, sat_core=b.free_not)
    res.stats["restriction"] = rb.as_dict()
    if rb.program is not None and rb.program.size < res.min_size and \
            np.array_equal(np.asarray(rb.program.evaluate(spec.X), dtype=np.int64).reshape(-1),
                           spec.y.astype(np.int64).reshape(-1)):
        _adopt(res, spec, rb.program)
        res.notes.append(f"a formula of size {rb.program.size} over the core inputs {list(rb.core)} fits "
                         "every example")
    if rb.lower <= res.lower_bound:
        return
    if progress:
        progress(f"restriction to the core {list(rb.core)}: lower bound {rb.lower}")
    _raise_lower(res, spec, b, rb.lower, "restriction", "restriction", rb.reason)


def _sat_stage(res: SynthesisResult, spec: Spec, b: Basis, mode: str, *, max_size: int | None,
               budget: Budget, progress) -> None:
    """Give the sizes the first engine left open to the SAT engine (`synth.sat.sat_minimum`): from the
    proven lower bound up to the consistent program in hand (or ``max_size``), each size refuted raises
    the lower bound; a program found there is a new minimum. Updates ``res`` in place."""
    try:
        sat_basis_check(b)
    except SynthError as e:
        res.notes.append(f"no SAT stage in basis {b.name!r}: {e}")
        return
    if budget.exhausted():
        return
    if max_size is not None and res.lower_bound > max_size:
        return
    upper = res.min_size
    if max_size is not None:
        upper = max_size + 1 if upper is None else min(upper, max_size + 1)
    # below a lower bound carried from another basis, the walk refutes up to WARM_SIZES sizes it need not:
    # they warm its session up (`_transfer_stage`)
    start = res.lower_bound
    carried_from = res.stats.get("transfer", {}).get("raised_from")
    left = budget.remaining()
    if carried_from is not None and (left is None or left >= WARM_WORK):
        start = max(carried_from, res.lower_bound - WARM_SIZES)
    if progress:
        progress(f"SAT from size {start}" + ("" if upper is None else f" below {upper}"))
    sat = sat_minimum(spec, b, mode=mode, lower=start, upper=upper, budget=budget,
                      **read_limits(spec, b, mode, budget=budget))
    res.stats["sat"] = {k: v for k, v in sat.as_dict().items() if k != "program"}
    if sat.program is not None and sat.program.size < res.lower_bound:    # below a proven bound: a bug
        raise AssertionError(f"SAT found a program of size {sat.program.size} below the proven lower bound "
                             f"{res.lower_bound}")
    found_below = sat.program is not None and (res.min_size is None or sat.program.size < res.min_size)
    if found_below:
        _adopt(res, spec, sat.program)
    if sat.exact and (res.min_size is None or sat.min_size <= res.min_size):
        # every size below sat.min_size is refuted; it is the minimum when a program of that size is in hand
        res.lower_bound = sat.min_size
        if res.min_size is not None and res.min_size == sat.min_size:
            res.exact = True
            res.proved_by = "sat"
            res.searched_size = res.min_size - 1    # `consistent` need not hold every function of min_size
            tried = [t.size for t in sat.sizes_tried if t.status == "unsat"]
            refuted = f"sizes {tried[0]}..{tried[-1]} refuted, " if tried else ""
            res.notes.append(f"minimum size {res.min_size} proven by the SAT engine ({refuted}"
                             f"{sat.conflicts} conflicts)")
        else:
            res.notes.append(f"the SAT engine refuted every size up to {sat.min_size - 1}")
    else:
        raised = sat.lower_bound > res.lower_bound
        res.lower_bound = max(res.lower_bound, sat.lower_bound)
        if res.min_size is not None and raised:
            res.notes.append(f"the SAT engine proved the minimum is between {res.lower_bound} and {res.min_size} "
                             f"before the budget ran out ({sat.conflicts} conflicts)")
        elif res.min_size is not None:
            res.notes.append(f"the SAT engine did not raise the lower bound before the budget ran out (sizes from "
                             f"{start}, {sat.conflicts} conflicts): the minimum is between {res.lower_bound} and "
                             f"{res.min_size}")
    if res.exact and res.spec.n_queries and found_below:
        res.notes.append("the SAT engine returns one shortest program: the posterior covers it and the "
                         "larger consistent functions found (see truncation_mass)")
    if not res.exact:
        res.searched_size = max(res.searched_size, res.lower_bound - 1)   # smaller sizes hold no program
    _, m, _, _, _ = _pack_spec(spec)
    res.truncation_mass = _truncation(spec, b, res.consistent, res.lower_bound - 1, m)


def _circuit_search(spec: Spec, b: Basis, *, after_minimum: Budget | None = None, **kw) -> SynthesisResult:
    # (the census answers at once; beyond it, the circuit search needs what is left after the formula)
    if spec.n_inputs <= CENSUS_INPUTS:
        return _circuit_by_census(spec, b, **kw)
    return _circuit_by_search(spec, b, **kw)


# the engine of each mode: (spec, basis, *, max_size, top_k, slack, budget, progress, after_minimum)
# -> SynthesisResult (after_minimum: the budget to go on with once the minimum is proven)
_ENGINES: dict[str, Callable[..., SynthesisResult]] = {"formula": _formula_search, "circuit": _circuit_search}
