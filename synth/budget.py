"""Work budgets: every search in `synth` counts its work, so the same input gives the same result on
any machine under any load.

One `Budget` is shared by every engine that serves one `synthesize` call. Work is counted in **units**,
chosen so that a unit costs about the same time in every engine: a candidate signature of ``W`` machine
words (64 points each) costs ``W + CANDIDATE_OVERHEAD`` units (one per word, plus its bookkeeping:
normalising, looking up, deduplicating); a truth table of at most 64 points computed by the circuit
census is one unit; one SAT conflict is `CONFLICT_WORK` units, and one clause built and given to a SAT
solver is `CLAUSE_WORK` units (building an instance can take longer than solving it), so one number can
bound a portfolio of engines. Engines charge their work at points that depend only on the input (after a
chunk of candidates, after a bounded SAT call), so where a search stops is deterministic.

Measured on the reference machine (2 cores shared with other jobs, numpy 2): 7-50 million units per CPU
second across engines and specs, about 15 million on the default cases (`UNITS_PER_SECOND`); under load
the wall-clock time is longer, the result the same.

A wall-clock limit (``seconds``) stays as an optional safety valve. When it fires the result is no
longer a function of the input alone: `Budget.fired` says so ("seconds"), `Budget.deterministic` is
False, and results and run folders report it.

>>> b = Budget(work=10)
>>> b.charge(4); b.remaining()
6
>>> try:
...     b.charge(7)
... except BudgetExceeded as e:
...     print(e, b.fired)
work budget of 10 units used up (11 used) work
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

from .errors import SynthError

__all__ = ["Budget", "BudgetExceeded", "CLAUSE_WORK", "CONFLICT_WORK", "DEFAULT_WORK", "CANDIDATE_OVERHEAD",
           "DEFAULT_MAX_ENTRIES", "DEFAULT_MAX_CLAUSES", "UNITS_PER_SECOND", "VALVE_NOTE", "as_budget"]

CONFLICT_WORK = 1000          # work units per SAT conflict
# work units per clause built and added to a SAT solver: 3.4 us per clause when an instance is built and
# 4.3 us when examples are added to it, measured over 18 M clauses (the random_function case in aon),
# which is 50-65 units at UNITS_PER_SECOND
CLAUSE_WORK = 50
CANDIDATE_OVERHEAD = 3        # work units per enumerated candidate on top of one per machine word
DEFAULT_MAX_ENTRIES = 30_000_000  # stored signatures (a proxy for memory) in one enumeration
# clauses held at once in the SAT solvers of one search, checked as instances are built and examples
# added (a proxy for memory: about 130 bytes each, measured: 15 M clauses, 2 GB); a formula search with
# NOT flags holds one instance per tree shape
DEFAULT_MAX_CLAUSES = 30_000_000
UNITS_PER_SECOND = 15_000_000  # a round figure for converting CPU seconds to work (measured; see above)
VALVE_NOTE = ("the wall-clock safety valve (budget_s) fired: this result depends on machine speed and "
              "load, not on the input alone")


# the default work budget of one `synth.synthesize` call and of `occam synth` (about 40 CPU seconds on the
# reference machine): finite, so no call runs for hours unless the caller asks for it (budget=None)
DEFAULT_WORK = 600_000_000

class BudgetExceeded(Exception):
    """Raised inside a search when its budget runs out; callers turn it into ``exact=False``.

    Not a `SynthError`: it is control flow between an engine and its caller, never shown to a user."""


def _check_work(v, what: str = "budget (work units)") -> int | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int) or v < 1:
        raise SynthError(f"{what} must be an int >= 1, got {v!r}")
    return v


def _check_seconds(v) -> float | None:
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v <= 0:
        raise SynthError(f"budget_s (a wall-clock safety valve) must be a finite number of seconds > 0, "
                         f"got {v!r}")
    return v


@dataclass
class Budget:
    """Limits of one search: work units (deterministic), an optional wall-clock safety valve, and a
    cap on memory (stored signatures of an enumerator, clauses held by SAT solvers). ``used`` counts the
    work charged so far; ``fired`` names the limit that stopped the search ("work", "seconds" or "memory"), None while none has.

    A budget made with `sub` is a share of its parent: work charged to it is charged to the parent too,
    and it stops at its own limit or at the parent's, whichever comes first."""

    work: int | None = None
    seconds: float | None = None
    max_entries: int = DEFAULT_MAX_ENTRIES
    max_clauses: int = DEFAULT_MAX_CLAUSES
    used: int = 0
    candidates: int = 0
    conflicts: int = 0
    clauses: int = 0
    fired: str | None = None
    valve: bool = False           # the wall-clock valve fired here or in a share (whatever fired first)
    start: float = field(default_factory=time.perf_counter)
    parent: "Budget | None" = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.work = _check_work(self.work)
        self.seconds = _check_seconds(self.seconds)
        if isinstance(self.max_entries, bool) or not isinstance(self.max_entries, int) or self.max_entries < 1:
            raise SynthError(f"max_entries (the memory budget, in stored signatures) must be an int >= 1, "
                             f"got {self.max_entries!r}")
        if isinstance(self.max_clauses, bool) or not isinstance(self.max_clauses, int) or self.max_clauses < 1:
            raise SynthError(f"max_clauses (the memory budget of SAT, in clauses held) must be an int >= 1, "
                             f"got {self.max_clauses!r}")

    # -- charging ----------------------------------------------------------------------------------
    def charge(self, units: int = 0, *, entries: int = 0) -> None:
        """Add ``units`` of work, then check every limit (raises `BudgetExceeded`)."""
        units = int(units)
        b: Budget | None = self
        while b is not None:
            b.used += units
            b = b.parent
        self.check(entries)

    def charge_candidates(self, n: int, *, words: int = 1, entries: int = 0) -> None:
        """Charge ``n`` candidates of ``words`` units each (``n * words`` units; an enumerator passes
        its signature width plus `CANDIDATE_OVERHEAD`)."""
        self._count(candidates=int(n))
        self.charge(int(n) * max(1, int(words)), entries=entries)

    def charge_conflicts(self, n: int) -> None:
        """Charge ``n`` SAT conflicts (`CONFLICT_WORK` units each)."""
        self._count(conflicts=int(n))
        self.charge(int(n) * CONFLICT_WORK)

    def charge_clauses(self, n: int) -> None:
        """Charge ``n`` clauses built and given to a SAT solver (`CLAUSE_WORK` units each)."""
        self._count(clauses=int(n))
        self.charge(int(n) * CLAUSE_WORK)

    def _count(self, candidates: int = 0, conflicts: int = 0, clauses: int = 0) -> None:
        b: Budget | None = self
        while b is not None:
            b.candidates += candidates
            b.conflicts += conflicts
            b.clauses += clauses
            b = b.parent

    def check(self, entries: int = 0, clauses: int = 0) -> None:
        """Raise `BudgetExceeded` when a limit is passed (and remember which in ``fired``, here and in
        the parents)."""
        if self.parent is not None:
            self.parent.check(entries, clauses)
        if self.work is not None and self.used > self.work:
            self._fire("work")
            raise BudgetExceeded(f"work budget of {self.work} units used up ({self.used} used)")
        if entries > self.max_entries:
            self._fire("memory")
            raise BudgetExceeded(f"memory budget of {self.max_entries} stored signatures used up")
        if clauses > self.max_clauses:
            self._fire("memory")
            raise BudgetExceeded(f"memory budget of {self.max_clauses} clauses held by SAT solvers used up")
        if self.seconds is not None and self.elapsed() > self.seconds:
            self._fire("seconds")
            raise BudgetExceeded(f"wall-clock safety valve of {self.seconds:g} s fired (the result depends "
                                 "on machine speed)")

    def _fire(self, limit: str) -> None:
        """Record the limit that stopped a search. A share's own work limit stops only the share (the
        parent may go on with the rest: the portfolio's next engine); the wall-clock valve and the memory
        cap are limits of the whole search, so they are recorded up the chain, the valve even after
        another limit fired first."""
        self.fired = self.fired or limit
        b: Budget | None = self
        while b is not None:
            if limit != "work":
                b.fired = b.fired or limit
            if limit == "seconds":
                b.valve = True
            b = b.parent

    # -- shares ------------------------------------------------------------------------------------
    def sub(self, work: int | None = None, *, max_entries: int | None = None,
            max_clauses: int | None = None) -> "Budget":
        """A share of this budget: at most ``work`` more units (None: whatever is left), charged here too.
        The valve and the memory caps are inherited (or lowered: ``max_entries``, ``max_clauses``)."""
        left = self.remaining()
        share = left if work is None else (int(work) if left is None else min(int(work), left))
        return Budget(work=max(1, share) if share is not None else None, seconds=None,
                      max_entries=self.max_entries if max_entries is None else max_entries,
                      max_clauses=self.max_clauses if max_clauses is None else min(max_clauses, self.max_clauses),
                      parent=self)

    # -- queries -----------------------------------------------------------------------------------
    def remaining(self) -> int | None:
        """Work units left (None: unlimited), counting the parents' limits."""
        own = None if self.work is None else max(0, self.work - self.used)
        up = None if self.parent is None else self.parent.remaining()
        if own is None:
            return up
        return own if up is None else min(own, up)

    def conflicts_left(self) -> int | None:
        """SAT conflicts the remaining work allows (None: unlimited); at least 1 while any work is left."""
        left = self.remaining()
        return None if left is None else (left // CONFLICT_WORK if left >= CONFLICT_WORK else int(left > 0))

    def exhausted(self) -> bool:
        """True when no work is left or a limit has fired (a budget used up exactly counts as fired)."""
        try:
            self.check()
        except BudgetExceeded:
            return True
        if self.remaining() != 0:
            return False
        b: Budget | None = self
        while b is not None:
            if b.work is not None and b.used >= b.work:
                b._fire("work")
            b = b.parent
        return True

    def elapsed(self) -> float:
        return time.perf_counter() - self.start

    @property
    def valve_fired(self) -> bool:
        """True once the wall-clock valve has stopped a search charged here or to a share."""
        return self.valve

    @property
    def deterministic(self) -> bool:
        """False once the wall-clock valve has fired: the result then depends on the machine."""
        return not self.valve_fired

    def as_dict(self) -> dict:
        """Limits and use, JSON-ready: ``fired`` is the first of this budget's limits that stopped a search
        (a share's own work limit is the share's: the valve and the memory cap count everywhere). No wall-clock reading: the same input gives the same dict
        unless the valve fired."""
        return {"work": self.work, "seconds": self.seconds, "used": self.used, "candidates": self.candidates,
                "conflicts": self.conflicts, "clauses": self.clauses, "fired": self.fired, "valve_fired": self.valve_fired}


def as_budget(budget: "Budget | int | None" = None, budget_s: float | None = None,
              max_entries: int = DEFAULT_MAX_ENTRIES) -> Budget:
    """A `Budget` from what a caller passed: a Budget (used as is, shared), a number of work units, or
    None (unlimited work); ``budget_s`` adds the wall-clock safety valve.

    >>> as_budget(2e6, 30).as_dict()["work"]
    2000000
    """
    if isinstance(budget, Budget):
        if budget_s is not None and budget.seconds is None:
            budget.seconds = _check_seconds(budget_s)
        return budget
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, (int, float))):
        raise SynthError(f"budget must be a number of work units, a synth.Budget or None, got {budget!r}")
    return Budget(work=_check_work(budget), seconds=budget_s, max_entries=max_entries)
