"""Benchmark of the restriction bound with a SAT-sliced core (`synth.restriction`, cores of 5-6 inputs)
beside SAT on the whole spec, at the same work: how far each proves the least formula size.

Rows (formula mode):

* ``multiplexer case``: the training examples of `cases/multiplexer.toml` (first seed's split: 128 of the
  256 rows of the 6-input multiplexer among 8 inputs), xag, target 9 (the multiplexer's own formula);
* ``multiplexer function``: the multiplexer on all 256 rows of 8 inputs (the function the case's
  networks compute), xag, target 9;
* the same two in aon (NOT costed, read limits from the aon and aig formula censuses), target 12 (three
  if-then-else of 4 each: or(and(s, a), and(NOT s, b)));
* two small specs the enumerator does not settle within 30M units: ``ite(x0, and(x1, x2), xor(x3, x4))``
  among 7 inputs from 60 examples (aig) and the parity of 5 among 8 from 300 examples (xag).

For each row ``restriction`` runs `restriction_bound` without a budget and reports its proven lower
bound, SAT conflicts and CPU seconds; ``whole-spec SAT`` runs `synth.sat.sat_minimum` (formula mode) on the
whole spec with the same work (conflicts and clauses built) as its budget and reports the lower bound
it proved. Both count work, so the bounds are the same on any machine; the seconds are this machine's.

    python bench/restriction_bench.py [--rows NAME ...] [--out PATH]

Writes a table to stdout and JSON to bench/results/restriction_bench.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from compare.output.runfolder import atomic_write_json  # noqa: E402
from compare.runs.cases import load_case  # noqa: E402
from synth import Program, Spec  # noqa: E402
from synth.budget import Budget  # noqa: E402
from synth.restriction import restriction_bound  # noqa: E402
from synth.sat import sat_minimum  # noqa: E402

MUX = "ite(x1, ite(x0, x5, x4), ite(x0, x3, x2))"     # the case's target: x0, x1 address x2..x5


def _embedded(formula: str, k: int, n: int, m: int, seed: int) -> Spec:
    rng = np.random.default_rng(seed)
    X = np.unique(rng.integers(0, 2, size=(m, n)), axis=0)
    return Spec.from_examples(X, np.asarray(Program.parse(formula, k).evaluate(X[:, :k])).reshape(-1))


def _mux_case() -> Spec:
    case = load_case("multiplexer")
    return case.make_task(case.seeds()[0]).train_spec()


def _mux_function() -> Spec:
    X = np.array([[(t >> i) & 1 for i in range(8)] for t in range(256)], dtype=np.uint8)
    return Spec.from_examples(X, np.asarray(Program.parse(MUX, 6).evaluate(X[:, :6])).reshape(-1))


ROWS = {
    "multiplexer case": (_mux_case, "xag", 9),
    "multiplexer function": (_mux_function, "xag", 9),
    "multiplexer case aon": (_mux_case, "aon", 12),
    "multiplexer function aon": (_mux_function, "aon", 12),
    "ite-and-xor among 7": (lambda: _embedded("ite(x0, and(x1, x2), xor(x3, x4))", 5, 7, 60, 7), "aig", 7),
    "parity5 among 8": (lambda: _embedded("xor(x0, xor(x1, xor(x2, xor(x3, x4))))", 5, 8, 300, 0), "xag", 9),
}


def bench_row(name: str) -> dict:
    make, basis, target = ROWS[name]
    spec = make()
    bud = Budget()
    c0 = time.process_time()
    rb = restriction_bound(spec, basis, target, budget=bud)
    r_s = time.process_time() - c0
    wb = Budget(work=max(int(bud.used), 1))
    c0 = time.process_time()
    whole = sat_minimum(spec, basis, mode="formula", upper=target, budget=wb)
    w_s = time.process_time() - c0
    row = {"row": name, "basis": basis, "inputs": spec.n_inputs, "examples": spec.n_examples, "target": target,
           "restriction": {"lower": rb.lower, "core": list(rb.core), "conflicts": int(bud.conflicts),
                           "clauses": int(bud.clauses), "work": int(bud.used), "cpu_s": round(r_s, 2), "program": None if rb.program is None else str(rb.program),
                           "reason": rb.reason},
           "whole_spec_sat": {"lower": whole.lower_bound, "exact": whole.exact, "conflicts": whole.conflicts,
                              "clauses": int(wb.clauses), "work": int(wb.used), "cpu_s": round(w_s, 2), "stopped": whole.stopped}}
    print(f"| {name} | {basis} | {spec.n_inputs} x {spec.n_examples} | {target} | {rb.lower} | "
          f"{bud.conflicts} | {bud.clauses} | {r_s:.1f} | {whole.lower_bound} | {whole.conflicts} | {wb.clauses} | "
          f"{w_s:.1f} |", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", nargs="+", default=list(ROWS), choices=list(ROWS))
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "restriction_bench.json"))
    args = ap.parse_args(argv)
    print("| row | basis | inputs x examples | target | restriction: lower | conflicts | clauses | CPU s | "
          "whole-spec SAT, same work: lower | conflicts | clauses | CPU s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    rows = {r: bench_row(r) for r in args.rows}
    # rows run now replace their earlier results; the other rows keep theirs (each row says when it ran)
    path = Path(args.out)
    old = json.loads(path.read_text()).get("rows", []) if path.exists() else []
    when = time.strftime("%Y-%m-%d")
    merged = [dict(rows.pop(o["row"]), when=when) if o["row"] in rows else o for o in old]
    merged += [dict(r, when=when) for r in rows.values()]
    out = {"meta": {"python": platform.python_version(), "platform": platform.platform(),
                    "command": "python bench/restriction_bench.py [--rows NAME ...]"},
           "rows": merged}
    atomic_write_json(path, out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
