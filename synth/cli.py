"""The `synth` command line: thin wrappers over `synth.synthesize`, `synth.census` and `synth.Program`.

Four subcommands, reachable as ``python -m synth <command>`` and as ``occam synth <command>`` (the
``occam`` console script of `compare.cli` registers them with `add_commands`):

``table TABLE --inputs N``
    shortest programs and the size/error frontier of a (partial) truth table;
``examples DATA.csv [--queries Q.csv]``
    shortest programs consistent with examples, and the posterior P(y=1) at held-out queries;
``census --inputs N``
    minimum size of every function of N inputs: histogram and NPN (or P) class histogram;
``parse "PROGRAM"``
    truth table, size, bits, depth, support, sympy form, canonical text and DOT of one program.

``--json`` prints one JSON document on stdout; otherwise a readable table. Progress lines of long runs
go to stderr (unless ``--quiet``). A user's mistake (a `synth.SynthError`, a usage error, a bad number,
a missing file) prints one line ``occam: error: <message>`` on stderr and exits with status 2.

Integration contract (for `compare.cli`): `add_commands(subparsers)` adds the four parsers; each sets
``func`` (a handler ``args -> int`` that raises `SynthError` for a user's mistake); `run(args)` calls
it and turns errors into the one-line message and status 2. Usage errors of the four parsers are
already one line with status 2 (`CLIParser.error`).

>>> main(["parse", "xor(x0, and(x2, x1))"])  # doctest: +ELLIPSIS
program      xor(x0, and(x1, x2))
inputs       3
basis        any
truth table  0x6a
size         2
...
0
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from typing import Callable, Sequence

import numpy as np

from .budget import DEFAULT_WORK
from .exhaustive import census
from .dsl import Program, get_basis
from .errors import SynthError
from .posterior import MINIMAL_TERM
from .spec import Spec
from .portfolio import MODES, synthesize

__all__ = ["add_commands", "main", "run", "build_parser", "CLIParser", "HelpFormatter", "ProgressBar", "ERROR_PREFIX"]

ERROR_PREFIX = "occam: error: "
PROGRESS_DELAY_S = 0.5     # progress bars start once a run has taken this long (short runs stay quiet)
# default work budget of `table` and `examples`: about 40 CPU seconds on the reference machine (7-50
# million units per CPU second, see synth.budget); --budget-s adds a wall-clock valve
TRUTH_TABLE_MAX_INPUTS = 16  # `parse` prints the truth table up to this many inputs (2^16 bits = 16 kB hex)


# ------------------------------------------------------------------------------------------------------
# errors and argument types
# ------------------------------------------------------------------------------------------------------

def _one_line(message: str) -> str:
    return " ".join(str(message).split())


def _print_error(message: str) -> None:
    print(ERROR_PREFIX + _one_line(message), file=sys.stderr, flush=True)


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Help that states every option's default: ``(default: ...)`` is appended unless the help text already
    says it; flags (on/off switches) and options without a default are left as written."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if ("(default" in text or "%(default)" in text or action.default in (None, argparse.SUPPRESS)
                or action.nargs == 0 or not action.option_strings):
            return text
        return f"{text} (default: %(default)s)"


class CLIParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line ``occam: error: ...`` and exit status 2, and whose
    help shows every option's default (`HelpFormatter`)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message: str):  # noqa: D102 — argparse API
        _print_error(f"{self.prog}: {message}")
        self.exit(2)


def _usage_error(parser: argparse.ArgumentParser) -> Callable[[str], None]:
    def error(message: str):
        _print_error(f"{parser.prog}: {message}")
        parser.exit(2)
    return error


def _integer(text: str, what: str) -> int:
    """An int written in hex (0x96), binary (0b1001), octal (0o17) or decimal (150, 0150)."""
    s = text.strip()
    try:
        return int(s, 0)
    except ValueError:
        pass
    if s.isdigit():        # decimal with leading zeros, which int(s, 0) refuses
        return int(s, 10)
    raise SynthError(f"{what} must be an integer in hex (0x96), binary (0b10010110) or decimal (150), "
                     f"got {text!r}")


def _arg_type(what: str, convert: Callable[[str], object]) -> Callable[[str], object]:
    def parse(text: str):
        try:
            return convert(text)
        except SynthError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
    parse.__name__ = what    # argparse names the type in some messages
    return parse


def _table_int(what: str):
    return _arg_type(what, lambda s: _integer(s, what))


def _count(what: str, lo: int):
    def convert(text: str) -> int:
        v = _integer(text, what)
        if v < lo:
            raise SynthError(f"{what} must be an integer >= {lo}, got {text!r}")
        return v
    return _arg_type(what, convert)


def _seconds(text: str) -> float:
    try:
        v = float(text)
    except ValueError:
        raise SynthError(f"--budget-s must be a number of seconds, got {text!r}") from None
    if not v > 0 or not math.isfinite(v):      # also refuses nan
        raise SynthError(f"--budget-s must be a positive number of seconds, got {text!r}")
    return v


def _work(text: str) -> int:
    """Work units: a whole number, also written 2e8 or 200_000_000."""
    s = text.strip().replace("_", "")
    try:
        v: int | None = _integer(s, "--budget")
    except SynthError:
        try:
            f = float(s)
        except ValueError:
            f = math.nan
        v = int(f) if math.isfinite(f) and f.is_integer() else None
    if v is None or v < 1:
        raise SynthError(f"--budget must be a whole number of work units >= 1 (e.g. 2e8), got {text!r}; a "
                         "wall-clock limit is --budget-s SECONDS")
    return v


# ------------------------------------------------------------------------------------------------------
# output helpers
# ------------------------------------------------------------------------------------------------------

def _jsonable(obj):
    """JSON-ready copy: numpy scalars/arrays to Python, NaN/inf to None, sets to sorted lists."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (set, frozenset)):
        return sorted(_jsonable(v) for v in obj)
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        v = float(obj)
        return v if math.isfinite(v) else None
    if obj is None or isinstance(obj, str):
        return obj
    return str(obj)


def _emit_json(doc: dict) -> None:
    print(json.dumps(_jsonable(doc), indent=2, allow_nan=False))


class ProgressBar:
    """The command line's display of a library ``progress`` callback (one line of text per call): a tqdm bar
    with ETA on stderr when it is a terminal; nothing at all with ``quiet`` or when stderr is not a terminal
    (a pipe, a log file, a test), so those see only the normal output. The library never draws bars.

    How a message moves the bar: one holding ``k/n`` (``seed 2/5 (7): done``, ``[3/8] case#1: ...``,
    ``12/24 classes known``) sets a bar of ``n`` items to ``k`` done (``k - 1`` while item ``k`` is still
    ``running``); ``size S: ...`` or ``cost S: ...`` (a synthesis level) sets a bar of levels to ``S``
    (``levels`` is its total when known); a pattern of ``totals`` (a compiled regex whose first group is a
    count, with the total the caller knows) sets a bar of that total. A count whose message starts with a
    word of ``named`` (``bootstrap 40/1000 resamples``) gets a bar labelled with it (``prior bootstrap``).
    Any other message is printed above the bar. Nothing shows before the run has lasted ``delay`` seconds
    (short runs stay quiet).

    >>> bar = ProgressBar(quiet=True)
    >>> bar("seed 1/3 (0): running"); bar.enabled
    False
    """

    COUNT = re.compile(r"(?<![\w./])(\d[\d,]*)/(\d[\d,]*)(?![\w/])")
    LEVEL = re.compile(r"^\s*(?:size|cost) (\d+)\b")

    def __init__(self, quiet: bool = False, label: str = "", *, levels: int | None = None,
                 totals: Sequence[tuple[re.Pattern, int]] = (), named: Sequence[str] = (),
                 delay: float = PROGRESS_DELAY_S, stream=None):
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = not quiet and bool(isatty and isatty())
        self.label = label
        self.levels = levels
        self.totals = tuple(totals)
        self.named = frozenset(named)
        self.delay = delay
        self.t0 = time.perf_counter()
        self._bar = None
        self._key: tuple | None = None

    def __call__(self, message: str) -> None:
        if not self.enabled:
            return
        text = " ".join(str(message).split())
        for pattern, total in self.totals:
            m = pattern.search(text)
            if m:
                return self._move(("total", pattern.pattern, total), min(total, _number(m.group(1))), total,
                                  text)
        m = self.COUNT.search(text)
        if m:
            k, n = _number(m.group(1)), _number(m.group(2))
            done = k - 1 if re.search(r"\brunning\b|\.\.\.$", text) else k
            head = text[:m.start()].rstrip(" [(:")
            desc = f"{self.label} {head}".strip() if head in self.named else self.label
            return self._move(("count", head, n), max(0, min(done, n)), n, text, desc)
        m = self.LEVEL.search(text)
        if m:
            return self._move(("level",), _number(m.group(1)), self.levels, text)
        self._write(text)

    def _move(self, key: tuple, done: int, total: int | None, text: str, desc: str | None = None) -> None:
        from tqdm import tqdm      # optional display dependency, loaded only on a terminal
        if self._bar is not None and (key != self._key or done < self._bar.n):
            self.close()
        if self._bar is None:
            self._key = key
            self._bar = tqdm(total=total, desc=(self.label if desc is None else desc) or None, file=self.stream,
                             leave=False,
                             delay=max(0.0, self.delay - (time.perf_counter() - self.t0)), dynamic_ncols=True,
                             unit="" if key[0] != "level" else " levels")
        self._bar.set_postfix_str(text[:60], refresh=False)
        self._bar.update(done - self._bar.n)

    def _write(self, text: str) -> None:
        if time.perf_counter() - self.t0 < self.delay:
            return
        from tqdm import tqdm
        tqdm.write(f"{self.label + ': ' if self.label else ''}{text}", file=self.stream)

    def close(self) -> None:
        """Remove the bar (the display ends; later messages start a new one)."""
        if self._bar is not None:
            self._bar.close()
        self._bar, self._key = None, None

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _number(text: str) -> int:
    return int(text.replace(",", ""))


def _plural(k: int, noun: str, plural: str | None = None) -> str:
    return f"{k} {noun if k == 1 else (plural or noun + 's')}"


def _fmt_bits(v: float) -> str:
    return f"{v:.3f}"


def _fmt_prob(v) -> str:
    v = float(v)
    return "n/a" if not math.isfinite(v) else f"{v:.6f}"


def _rows(header: Sequence[str], rows: Sequence[Sequence[object]], align: str) -> list[str]:
    """A text table; ``align`` holds 'r' or 'l' per column; the last column is never padded."""
    cells = [list(map(str, header))] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    out = []
    for r in cells:
        parts = []
        for i, c in enumerate(r):
            last = i == len(r) - 1
            if align[i] == "r":
                parts.append(c.rjust(widths[i]))
            else:
                parts.append(c if last else c.ljust(widths[i]))
        out.append("  " + "  ".join(parts).rstrip())
    return out


def _result_lines(res, top_k: int) -> list[str]:
    """Shared text block of `table` and `examples`: status, shortest programs, frontier, notes."""
    lines = []
    seconds = res.stats.get("seconds", float("nan"))
    lower = getattr(res, "lower_bound", None)
    if res.min_size is None:
        bound = f"; every consistent program has size >= {lower}" if lower else ""
        lines.append(f"no consistent program found (sizes up to {res.searched_size} searched{bound}); "
                     f"{seconds:.3f} s")
    elif res.exact:
        lines.append(f"min size {res.min_size} (exact: proven minimal); {seconds:.3f} s")
    else:
        bound = f"proven >= {lower}; " if lower else ""
        lines.append(f"min size <= {res.min_size} (exact: no; {bound}see notes); {seconds:.3f} s")
    bud = res.stats.get("budget")
    if bud:
        limit = "no limit" if bud["work"] is None else f"of {bud['work']}"
        fired = f"; stopped by the {bud['fired']} limit" if bud["fired"] else ""
        valve = "" if bud["seconds"] is None else f"; wall-clock valve {bud['seconds']:g} s"
        lines.append(f"budget: {bud['used']} work units used ({limit}){fired}{valve}")
        if bud["valve_fired"]:
            lines.append("warning: the wall-clock valve fired: this result depends on machine speed and load")
    extra = []
    if "candidates" in res.stats:
        extra.append(f"{res.stats['candidates']} candidates")
    if "distinct_functions" in res.stats:
        extra.append(f"{res.stats['distinct_functions']} distinct functions")
    extra.append(_plural(len(res.consistent), "consistent function") + " kept")
    lines.append("search: " + ", ".join(extra))
    if res.shortest:
        lines.append("")
        lines.append(f"shortest programs ({len(res.shortest)}; at most --top-k {top_k}):")
        lines += _rows(["size", "bits", "program"],
                       [[p.size, _fmt_bits(p.bits), str(p)] for p in res.shortest], "rrl")
    if res.frontier:
        lines.append("")
        lines.append("frontier (fewest training errors at each size):")
        lines += _rows(["size", "errors", "program"],
                       [[e.size, e.errors, str(e.program)] for e in res.frontier], "rrl")
    for note in res.notes:
        lines.append(f"note: {note}")
    return lines


def _print_lines(lines: list[str]) -> None:
    print("\n".join(lines))


# ------------------------------------------------------------------------------------------------------
# handlers
# ------------------------------------------------------------------------------------------------------

def _synthesize(spec: Spec, args: argparse.Namespace, what: str):
    """`synthesize` with the command's options, its levels on a progress bar."""
    bar = ProgressBar(args.quiet, what, levels=args.max_size)
    try:
        return synthesize(spec, basis=args.basis, mode=args.mode, max_size=args.max_size, top_k=args.top_k,
                          budget=args.budget, budget_s=args.budget_s, progress=bar)
    finally:
        bar.close()


def _cmd_table(args: argparse.Namespace) -> int:

    spec = Spec.from_table(args.table, args.inputs, care=args.care)
    res = _synthesize(spec, args, "synth table")
    if args.json:
        doc = {"command": "table", "table": hex(args.table), "n_inputs": args.inputs,
               "care": None if args.care is None else hex(args.care), **res.as_dict(),
               "seconds": res.stats.get("seconds")}
        if not spec.n_queries:
            doc.pop("posterior", None)
        else:
            doc["queries"] = spec.queries.tolist()
        _emit_json(doc)
        return 0
    lines = [f"table {args.table:#x} over {args.inputs} inputs"
             + ("" if args.care is None else f", care mask {args.care:#x}")
             + f": basis {res.basis}, {res.mode} mode"]
    lines += _result_lines(res, args.top_k)
    if spec.n_queries and res.consistent:
        lines.append("")
        lines += _posterior_lines(res, spec)
    _print_lines(lines)
    return 0


def _posterior_lines(res, spec) -> list[str]:
    post = res.posterior()
    n = spec.n_inputs
    head = "x0" if n == 1 else f"x0..x{n - 1}"
    lines = [f"posterior predictive at {_plural(spec.n_queries, 'held-out query', 'held-out queries')} "
             f"(length prior 2^-bits over {_plural(len(res.consistent), 'consistent function')}):"]
    lines += _rows([head, "P(y=1)"],
                   [[" ".join(str(int(v)) for v in q), _fmt_prob(p)] for q, p in zip(spec.queries, post)],
                   "lr")
    lines.append(f"truncation mass: {res.truncation_mass:.3g} (upper bound on the posterior share of "
                 "consistent functions not enumerated)")
    lines.append(f"approximation: {MINIMAL_TERM}")
    return lines


def _cmd_examples(args: argparse.Namespace) -> int:

    spec = Spec.from_csv(args.data, args.queries, n_outputs=args.outputs)
    res = _synthesize(spec, args, "synth examples")
    if args.json:
        doc = {"command": "examples", "data": args.data, "queries_file": args.queries,
               "n_inputs": spec.n_inputs, "n_examples": spec.n_examples, **res.as_dict(),
               "queries": spec.queries.tolist(), "seconds": res.stats.get("seconds")}
        if spec.n_queries and not res.consistent:
            doc["posterior"] = [None] * spec.n_queries
        doc["approximation"] = MINIMAL_TERM
        _emit_json(doc)
        return 0
    queries = _plural(spec.n_queries, "held-out query", "held-out queries")
    lines = [f"{args.data}: {_plural(spec.n_examples, 'example')} of {_plural(spec.n_inputs, 'input')}, "
             f"{queries}: basis {res.basis}, {res.mode} mode"]
    lines += _result_lines(res, args.top_k)
    lines.append("")
    if not spec.n_queries:
        lines.append("no held-out queries (give --queries Q.csv for the posterior predictive)")
    elif spec.n_outputs > 1:
        lines.append("several outputs: no posterior predictive (the length prior is over one-output functions)")
    elif not res.consistent:
        lines.append("no consistent function found: no posterior predictive")
    else:
        lines += _posterior_lines(res, spec)
    _print_lines(lines)
    return 0


def _cmd_census(args: argparse.Namespace) -> int:

    bar = ProgressBar(args.quiet, "synth census")
    try:
        c = census(args.inputs, args.basis, args.mode, budget=args.budget, budget_s=args.budget_s, progress=bar)
    finally:
        bar.close()
    hist = c.histogram()
    npn = c.npn_histogram() if c.n_inputs <= 4 else None
    classes = "NPN" if get_basis(c.basis).free_not else "P"
    total = 1 << (1 << c.n_inputs)
    unreached = int((np.asarray(c.sizes) < 0).sum())
    if args.json:
        doc = {"command": "census", **c.as_dict(), "class_kind": classes, "functions": total,
               "unreached": unreached}
        doc["npn_histogram"] = npn
        _emit_json(doc)
        return 0
    lines = [f"census of all {total} functions of {c.n_inputs} inputs: basis {c.basis}, {c.mode} mode",
             f"exact: {'yes' if c.exact else 'no'}; {c.seconds:.3f} s"
             + (f"; {c.candidates} candidates" if c.candidates else "")
             + (f"; {c.budget['used']} work units" if c.budget else "")]
    sizes = sorted(set(hist) | set(npn or {}))
    header = ["size", "functions"] + ([f"{classes} classes"] if npn is not None else [])
    rows = [[s, hist.get(s, 0)] + ([npn.get(s, 0)] if npn is not None else []) for s in sizes]
    rows.append(["total", sum(hist.values())] + ([sum(npn.values())] if npn is not None else []))
    lines += _rows(header, rows, "rrr")
    if unreached:
        lines.append(f"unreached: {unreached} functions (minimum size above the sizes searched)")
    if classes == "P":
        lines.append(f"note: negation costs in basis {c.basis!r}, so classes are input permutations only")
    for note in c.notes:
        lines.append(f"note: {note}")
    _print_lines(lines)
    return 0


def _cmd_parse(args: argparse.Namespace) -> int:

    prog = Program.parse(args.program, args.inputs, basis=args.basis)
    n = prog.n_inputs
    if n <= TRUTH_TABLE_MAX_INPUTS:
        table = hex(prog.truth_table())
        table_note = None
    else:
        table = None
        table_note = f"truth table omitted for more than {TRUTH_TABLE_MAX_INPUTS} inputs"
    doc = {
        "command": "parse",
        "program": str(prog),
        "n_inputs": n,
        "basis": prog.basis_name,
        "truth_table": table,
        "size": prog.size,
        "bits": round(prog.bits, 6),
        "depth": prog.depth,
        "support": sorted(prog.support),
        "n_gates": prog.n_gates,
        "is_tree": prog.is_tree(),
        "sympy": str(prog.to_sympy()),
        "dot": prog.to_dot(),
    }
    if args.json:
        if table_note:
            doc["notes"] = [table_note]
        _emit_json(doc)
        return 0
    support = ", ".join(f"x{i}" for i in doc["support"]) or "(none: constant)"
    rows = [["program", doc["program"]], ["inputs", n], ["basis", doc["basis"]],
            ["truth table", table if table is not None else f"({table_note})"],
            ["size", doc["size"]], ["bits", _fmt_bits(prog.bits)], ["depth", doc["depth"]],
            ["support", support], ["gates", doc["n_gates"]], ["tree", "yes" if doc["is_tree"] else "no"],
            ["sympy", doc["sympy"]]]
    width = max(len(r[0]) for r in rows)
    lines = [f"{k.ljust(width)}  {v}" for k, v in rows]
    lines.append("dot:")
    lines.append(doc["dot"].rstrip("\n"))
    _print_lines(lines)
    return 0


# ------------------------------------------------------------------------------------------------------
# parsers
# ------------------------------------------------------------------------------------------------------

def _add_common(p: argparse.ArgumentParser, *, progress: bool) -> None:
    p.add_argument("--json", action="store_true", help="print one JSON document on stdout")
    if progress:
        p.add_argument("--quiet", "-q", action="store_true", help="no progress lines on stderr")


def _add_search(p: argparse.ArgumentParser) -> None:
    p.add_argument("--basis", default="xag",
                   help="basis (gate set and cost model): full, aig, xag, aon, aoxn, mig, mux "
                   "(default: xag)")
    p.add_argument("--mode", choices=MODES, default="formula",
                   help="formula (trees) or circuit (shared gates) (default: formula)")
    p.add_argument("--top-k", type=_count("--top-k", 1), default=10, metavar="K",
                   help="how many shortest programs to list (default: 10)")
    p.add_argument("--max-size", type=_count("--max-size", 0), default=None, metavar="S",
                   help="search no further than this size (default: the minimum size + 1)")
    _add_budget(p, DEFAULT_WORK, "the result says exact: no, with proven bounds and a consistent program")


def _add_budget(p: argparse.ArgumentParser, default: int | None, what: str) -> None:
    shown = "no limit" if default is None else f"{default:.0e}".replace("e+0", "e").replace("e+", "e")
    p.add_argument("--budget", type=_arg_type("--budget", _work), default=default, metavar="WORK",
                   help=f"work budget in units (see synth.budget: about 15 million per CPU second); "
                   f"when it runs out {what}. The same budget gives the same result on any machine "
                   f"(default: {shown})")
    p.add_argument("--budget-s", type=_arg_type("--budget-s", _seconds), default=None, metavar="SECONDS",
                   help="optional wall-clock safety valve; when it fires the output says the result depends "
                   "on machine speed (default: none)")


def add_commands(subparsers) -> None:
    """Register ``table``, ``examples``, ``census`` and ``parse`` on an argparse subparsers object.

    Each parser sets ``func``: a handler ``args -> int`` (0 on success) that raises `SynthError` for a
    user's mistake; call `run(args)` to get the one-line error and status 2.
    """
    made = []

    def add(name: str, **kw) -> argparse.ArgumentParser:
        p = subparsers.add_parser(name, **kw)
        if not isinstance(p, CLIParser):     # a parent of another class: keep errors one line
            p.error = _usage_error(p)
        made.append(p)
        return p

    p = add("table", help="shortest programs for a truth table",
            description="Shortest programs (and the size/error frontier) for a truth table: bit t is "
            "f(x) with x_i = (t >> i) & 1 (n=3: x0 = 0xaa, x1 = 0xcc, x2 = 0xf0).")
    p.add_argument("table", type=_table_int("TABLE"), metavar="TABLE",
                   help="truth table in hex (0x96), binary (0b10010110) or decimal")
    p.add_argument("--inputs", "-n", type=_count("--inputs", 1), required=True, metavar="N",
                   help="number of inputs, a count")
    p.add_argument("--care", type=_table_int("--care"), default=None, metavar="MASK",
                   help="mask of the known points (others are held out; default: all)")
    _add_search(p)
    _add_common(p, progress=True)
    p.set_defaults(func=_cmd_table)

    p = add("examples", help="shortest programs for examples in a CSV, posterior on queries",
            description="Shortest programs consistent with the examples in DATA.csv (one column per "
            "input, the last column the output; an optional header row), and the posterior P(y=1) "
            "under the length prior at each query of Q.csv.")
    p.add_argument("data", metavar="DATA.csv", help="examples: inputs then output, 0/1")
    p.add_argument("--queries", metavar="Q.csv", default=None,
                   help="held-out inputs to predict (a trailing output column is ignored) (default: none)")
    p.add_argument("--outputs", type=_count("--outputs", 1), default=1, metavar="K",
                   help="the last K columns are outputs, synthesised as one circuit sharing gates "
                   "(SAT engine; default: 1)")
    _add_search(p)
    _add_common(p, progress=True)
    p.set_defaults(func=_cmd_examples)

    p = add("census", help="minimum size of every function of N inputs",
            description="Minimum size of every Boolean function of N inputs: histogram of sizes and of "
            "NPN classes (P classes when negation costs). Exact for N <= 4 in both modes.")
    p.add_argument("--inputs", "-n", type=_count("--inputs", 1), required=True, metavar="N",
                   help="number of inputs, a count (formula: <= 5, circuit: <= 4)")
    p.add_argument("--basis", default="full", help="basis (default: full)")
    p.add_argument("--mode", choices=MODES, default="formula",
                   help="formula or circuit (default: formula)")
    _add_budget(p, None, "the census says exact: no")
    _add_common(p, progress=True)
    p.set_defaults(func=_cmd_census)

    p = add("parse", help="read a program: truth table, size, bits, sympy, DOT",
            description="Read a program in expression form (xor(x0, and(x1, x2))) or straight-line "
            "form (t0 = and(x1, x2); out = xor(x0, t0)) and print its measures and exports.")
    p.add_argument("program", metavar="PROGRAM", help="program text (quote it)")
    p.add_argument("--inputs", "-n", type=_count("--inputs", 0), default=None, metavar="N",
                   help="number of inputs, a count (default: 1 + the largest input index used)")
    p.add_argument("--basis", default=None,
                   help="basis in which size and bits are measured (default: 'any', every gate "
                   "costs 1, negation free)")
    _add_common(p, progress=False)
    p.set_defaults(func=_cmd_parse)


def run(args: argparse.Namespace) -> int:
    """Call the handler chosen by the parsers of `add_commands`; a user's mistake becomes one line
    ``occam: error: ...`` on stderr and status 2."""
    func = getattr(args, "func", None)
    if func is None:
        _print_error("no command given (choose one of: table, examples, census, parse)")
        return 2
    try:
        return int(func(args) or 0)
    except SynthError as e:
        _print_error(str(e))
        return 2
    except OSError as e:     # unreadable files and the like; a closed stdout is not the user's mistake
        if isinstance(e, BrokenPipeError):
            silence_stdout()
            return 0
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        _print_error(f"{where}{e.strerror or e}")
        return 2
    except KeyboardInterrupt:
        _print_error("interrupted")
        return 130


def silence_stdout() -> None:
    """After a closed pipe (``... | head``), point stdout at /dev/null so the exit flush is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def build_parser(prog: str = "python -m synth") -> CLIParser:
    """The top-level parser of ``python -m synth`` (the subcommands of `add_commands`)."""
    parser = CLIParser(prog=prog, description="Shortest programs in a small circuit DSL "
                       "(occam-circuits). Commands: table, examples, census, parse.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=CLIParser)
    sub.required = True
    add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m synth``; returns the exit status (0 success, 2 a user's mistake)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:      # --help (0) or a usage error already printed on one line (2)
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    return run(args)
