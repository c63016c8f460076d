"""Malformed inputs to synth's programs, specs and CSV reader (issue 12): each must give a `SynthError`
whose one-line message names what was wrong and where (argument, file:line, value) — never another
exception, a hang or a huge allocation — and valid edge cases (a UTF-8 byte-order mark, numpy integers)
the right answer. Hypothesis fuzzes the parser, `Spec.from_examples` and CSV reading (a few hundred
examples here, 3000 each in the slow suite); a subprocess under `RLIMIT_AS` shows that huge indices and
moduli fail fast instead of allocating."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import synth.syntax
from synth import Program, Spec, SynthError, define_basis, synthesize
from synth.dsl import MAX_NODES
from synth.simplify import simplify_negations

AND2 = Program.parse("and(x0, x1)")
ADDER = Program.parse("t = xor(x0, x1); out0 = xor(t, x2); out1 = maj(x0, x1, x2)")


def _csv(text, **kw):
    """A case that writes ``text`` (str or bytes) to a CSV file and reads it as examples."""
    def build(tmp_path):
        f = tmp_path / "data.csv"
        f.write_bytes(text if isinstance(text, bytes) else text.encode())
        return lambda: Spec.from_csv(f, **kw)
    return build


def _call(fn):
    return lambda tmp_path: fn


def _queries_csv(tmp_path):
    f, q = tmp_path / "data.csv", tmp_path / "q.csv"
    f.write_text("0,0,0\n1,1,1\n")
    q.write_text("0,1,1,1,1\n")
    return lambda: Spec.from_csv(f, queries=q)


# (id, build(tmp_path) -> call, fragments the one-line message must contain; "{f}" is the CSV path)
CASES = [
    # -- program text --------------------------------------------------------------------------
    ("parse-index-above-2^63", _call(lambda: Program.parse("x99999999999999999999")), ["MAX_INPUTS", "column 1"]),
    ("parse-index-10^7", _call(lambda: Program.parse("x10000000")), ["MAX_INPUTS"]),
    ("parse-n-inputs-huge", _call(lambda: Program.parse("x0", 10**12)), ["n_inputs", "MAX_INPUTS"]),
    ("parse-modulus-huge", _call(lambda: Program.parse("add(a, b)", p=10**6)), ["modulus p", "MAX_MODULUS"]),
    ("parse-modulus-1", _call(lambda: Program.parse("add(a, b)", p=1)), ["modulus p", ">= 2"]),
    ("parse-modulus-float", _call(lambda: Program.parse("add(a, b)", p=7.0)), ["modulus p", "7.0"]),
    ("parse-bytes", _call(lambda: Program.parse(b"x0")), ["program text", "bytes"]),
    ("parse-5000-digit-constant", _call(lambda: Program.parse("and(x0, " + "9" * 5000 + ")")),
     ["constant", "column 9"]),
    ("parse-unicode-digit", _call(lambda: Program.parse("and(x\u0663, x1)")), ["line 1, column 5"]),
    ("parse-missing-output", _call(lambda: Program.parse("out0 = x0; out2 = x1")), ["out1"]),
    ("parse-output-twice", _call(lambda: Program.parse("out0 = x0\nout0 = x1")), ["line 2", "defined twice"]),
    ("parse-out-and-out0", _call(lambda: Program.parse("out0 = x0; out = x1")), ["'out'", "column 12"]),
    ("parse-output-number-huge", _call(lambda: Program.parse("out99999999999999999 = x0")), ["out0, out1"]),
    ("parse-bare-after-outputs", _call(lambda: Program.parse("out0 = x0; x1")), ["column 12"]),
    ("parse-unknown-gate", _call(lambda: Program.parse("frob(x0, x1)")), ["'frob'", "column 1"]),
    # -- Program(...) ---------------------------------------------------------------------------
    ("program-args-not-a-tuple", _call(lambda: Program(3, [("and", 5)])), ["node 0", "args", "5"]),
    ("program-ref-out-of-range", _call(lambda: Program(3, [("and", (0, 7))])), ["node 0", "ref 7", "0..2"]),
    ("program-ref-float", _call(lambda: Program(2, [("and", (0, 1.0))])), ["node 0", "1.0"]),
    ("program-ref-bool", _call(lambda: Program(2, [("and", (0, True))])), ["node 0", "True"]),
    ("program-node-not-a-pair", _call(lambda: Program(2, [("and", 0, 1)])), ["node 0", "pair"]),
    ("program-nodes-not-a-sequence", _call(lambda: Program(2, 5)), ["nodes", "5"]),
    ("program-n-inputs-bool", _call(lambda: Program(True, [("1", ())])), ["n_inputs", "bool"]),
    ("program-n-inputs-float", _call(lambda: Program(2.0, [("and", (0, 1))])), ["n_inputs", "2.0"]),
    ("program-n-inputs-huge", _call(lambda: Program(10**20, [])), ["n_inputs", "MAX_INPUTS"]),
    ("program-modulus-huge", _call(lambda: Program(2, [("add", (0, 1))], p=10**5)), ["MAX_MODULUS"]),
    ("program-unicode-constant", _call(lambda: Program(2, [("\u00b2", ())])), ["node 0", "unknown gate"]),
    ("program-outputs-empty", _call(lambda: Program(2, [("and", (0, 1))], outputs=())), ["outputs", "empty"]),
    ("program-output-and-outputs", _call(lambda: Program(2, [("and", (0, 1))], 2, outputs=(2,))), ["not both"]),
    ("program-output-ref-range", _call(lambda: Program(2, [("and", (0, 1))], outputs=(2, 9))),
     ["output 1 ref 9", "0..2"]),
    ("program-output-of-multi", _call(lambda: ADDER.output), [".outputs", "2 outputs"]),
    ("program-too-many-nodes", _call(lambda: Program(1, [("not", (0,))] * (MAX_NODES + 1))), ["MAX_NODES"]),
    ("basis-cost-float", _call(lambda: define_basis("b", {"and": 1.5})), ["cost of 'and'", "1.5"]),
    ("evaluate-ragged", _call(lambda: AND2.evaluate([[0, 1], [1]])), ["X", "lengths"]),
    ("evaluate-strings", _call(lambda: AND2.evaluate([["a", "b"]])), ["X", "integers"]),
    ("evaluate-nan", _call(lambda: AND2.evaluate([[np.nan, 1]])), ["nan", "row 0, column 0"]),
    ("truth-table-too-many-inputs", _call(lambda: Program.parse("x0", 30).truth_table()), ["30", "limit"]),
    ("simplify-not-a-program", _call(lambda: simplify_negations("and(x0, x1)")), ["synth.Program", "str"]),
    ("dot-name-not-a-string", _call(lambda: AND2.to_dot(5)), ["DOT graph name"]),
    # -- Spec ---------------------------------------------------------------------------------------
    ("examples-strings", _call(lambda: Spec.from_examples([["a"]], [0])), ["inputs must be integers", "'a'"]),
    ("examples-ragged", _call(lambda: Spec.from_examples([[0, 1], [0]], [0, 1])), ["inputs", "ragged"]),
    ("examples-modulus-1", _call(lambda: Spec.from_examples([[0, 1]], [1], p=1)), ["modulus p", ">= 2"]),
    ("examples-modulus-huge", _call(lambda: Spec.from_examples([[0, 1]], [1], p=10**5)), ["MAX_MODULUS"]),
    ("examples-modulus-bool", _call(lambda: Spec.from_examples([[0, 1]], [1], p=True)), ["modulus p", "bool"]),
    ("examples-nan", _call(lambda: Spec.from_examples([[np.nan, 1]], [1])), ["nan", "row 0, column 0"]),
    ("examples-inf-output", _call(lambda: Spec.from_examples([[0, 1]], [np.inf])), ["outputs", "inf"]),
    ("examples-fraction", _call(lambda: Spec.from_examples([[0.5, 1]], [1])), ["integers", "0.5"]),
    ("examples-int-above-2^63", _call(lambda: Spec.from_examples([[2**70, 1]], [1])), ["71 bits", "row 0"]),
    ("examples-none", _call(lambda: Spec.from_examples([[0, None]], [0])), ["None", "row 0, column 1"]),
    ("examples-outputs-3d", _call(lambda: Spec.from_examples([[0, 1]], [[[0]]])), ["outputs have shape"]),
    ("examples-too-many-inputs", _call(lambda: Spec.from_examples(np.zeros((2, 5000)), [0, 1])),
     ["5000 inputs", "MAX_INPUTS"]),
    ("examples-query-value", _call(lambda: Spec.from_examples([[0, 1]], [1], queries=[[0, 3]])),
     ["queries", "found 3"]),
    ("examples-contradiction", _call(lambda: Spec.from_examples([[0, 1], [0, 1]], [0, 1])),
     ["two outputs", "row 1"]),
    ("examples-source-not-a-string", _call(lambda: Spec.from_examples([[0]], [0], source=3)), ["source"]),
    ("table-n-bool", _call(lambda: Spec.from_table(0x96, True)), ["n must be an integer", "bool"]),
    ("table-n-float", _call(lambda: Spec.from_table(0x96, 3.5)), ["n must be an integer", "3.5"]),
    ("table-string", _call(lambda: Spec.from_table("0x96", 3)), ["truth table", "str"]),
    ("table-n-huge", _call(lambda: Spec.from_table(1, 10**9)), ["too large", "MAX_TABLE_INPUTS"]),
    ("table-care-bool", _call(lambda: Spec.from_table(0x96, 3, care=True)), ["care mask", "bool"]),
    ("tables-one-int", _call(lambda: Spec.from_tables(0x96, 3)), ["from_table"]),
    ("tables-empty", _call(lambda: Spec.from_tables([], 3)), ["tables is empty"]),
    ("program-seed-negative", _call(lambda: Spec.from_program(AND2, seed=-1)), ["seed", "-1"]),
    ("program-train-fraction-nan", _call(lambda: Spec.from_program(AND2, float("nan"))), ["train_fraction", "nan"]),
    ("program-train-fraction-bool", _call(lambda: Spec.from_program(AND2, True)), ["train_fraction", "True"]),
    ("program-n-train-float", _call(lambda: Spec.from_program(AND2, n_train=2.5)), ["n_train", "2.5"]),
    ("query-targets-shape", _call(lambda: Spec([[0]], [0], [[1]], query_targets=[0, 1])),
     ["query_targets", "(1,)"]),
    # -- CSV --------------------------------------------------------------------------------------
    ("csv-fraction-first-row", _csv("0.5,1,1\n0,0,0\n"), ["{f}, line 1, column 1", "'0.5'"]),
    ("csv-int-above-2^63", _csv("x0,x1,y\n0,0,99999999999999999999999\n"), ["{f}, line 2, column 3", "0/1"]),
    ("csv-5000-digits", _csv("0,0," + "1" * 5000 + "\n"), ["{f}, line 1, column 3", "5000 digits"]),
    ("csv-ragged", _csv("0,0,0\n1,1\n"), ["{f}, line 2", "2 columns, expected 3"]),
    ("csv-empty-value", _csv("0,0,0\n0,,1\n"), ["{f}, line 2, column 2", "empty"]),
    ("csv-value-2", _csv("0,0,0\n0,2,1\n"), ["{f}, line 2, column 2", "inputs must be 0/1"]),
    ("csv-negative", _csv("-1,0,0\n"), ["{f}, line 1, column 1", "found -1"]),
    ("csv-outside-zp", _csv("1,2,7\n", p=5), ["{f}, line 1, column 3", "in 0..4"]),
    ("csv-contradiction", _csv("0,0,0\n\n0,0,1\n"), ["{f}, line 3", "line 1", "two outputs"]),
    ("csv-empty-file", _csv(""), ["{f}", "no data rows"]),
    ("csv-blank-lines-only", _csv("\n\n,,\n"), ["{f}", "no data rows"]),
    ("csv-header-only", _csv("x0,x1,y\n"), ["{f}", "no data rows"]),
    ("csv-header-width", _csv("x0,x1\n0,0,0\n"), ["{f}, line 2", "header on line 1 has 2"]),
    ("csv-second-header", _csv("x0,x1,y\nx0,x1,y\n"), ["{f}, line 2, column 1", "'x0'"]),
    ("csv-one-column", _csv("1\n0\n"), ["{f}, line 1", "output column"]),
    ("csv-semicolons", _csv("0;1;1\n"), ["{f}, line 1", "commas"]),
    ("csv-not-utf8", _csv(b"0,0,0\n\xff\xfe\x00\x01\n"), ["{f}", "UTF-8"]),
    ("csv-unicode-digit", _csv("\u0663,0,0\n"), ["{f}, line 1, column 1"]),
    ("csv-n-outputs-0", _csv("0,0,0\n", n_outputs=0), ["n_outputs", ">= 1"]),
    ("csv-modulus-huge", _csv("0,0,0\n", p=10**7), ["modulus p", "MAX_MODULUS"]),
    ("csv-queries-width", _queries_csv, ["q.csv, line 1", "queries have 5 columns"]),
    ("csv-missing-file", lambda tmp_path: (lambda: Spec.from_csv(tmp_path / "none.csv")), ["none.csv", "not found"]),
    ("csv-directory", lambda tmp_path: (lambda: Spec.from_csv(tmp_path)), ["cannot read"]),
    ("csv-path-not-a-path", _call(lambda: Spec.from_csv(123)), ["path", "123"]),
]


def test_at_least_thirty_cases():
    assert len(CASES) >= 30 and len({c[0] for c in CASES}) == len(CASES)


@pytest.mark.parametrize("build,fragments", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_input_gives_one_line_synth_error(tmp_path, build, fragments):
    call = build(tmp_path)
    with pytest.raises(SynthError) as e:
        call()
    msg = str(e.value)
    assert "\n" not in msg and 0 < len(msg) < 600, msg
    for frag in fragments:
        assert frag.replace("{f}", str(tmp_path / "data.csv")) in msg, msg


# ----------------------------------------------------------------------------------------------
# valid edge cases: the right answer
# ----------------------------------------------------------------------------------------------

def test_excel_bom_csv_synthesises_and(tmp_path):
    f = tmp_path / "and.csv"
    f.write_bytes(b"\xef\xbb\xbf1,1,1\n0,0,0\n0,1,0\n1,0,0\n")
    spec = Spec.from_csv(f)
    assert spec.n_examples == 4
    assert str(synthesize(spec, basis="aig").shortest[0]) == "and(x0, x1)"


def test_numpy_integers_are_accepted():
    p = Program(np.int64(2), [("and", (np.int32(0), np.uint8(1)))], np.int64(2), p=None)
    assert p == AND2
    assert Program.parse("add(a, b)", np.int64(2), p=np.int16(7)).p == 7
    assert Program(2, [("xor", (0, 1)), ("and", (0, 1))], outputs=np.array([2, 3])).n_outputs == 2
    assert define_basis("b", {"and": np.int64(2)}).cost("and") == 2
    assert Spec.from_table(np.uint64(0x96), np.int8(3)).n_examples == 8
    assert Spec.from_examples(np.array([[0, 1]], np.int64), np.array([1], np.uint8), p=np.int64(3)).p == 3


def test_node_limit_while_parsing(monkeypatch):
    """The parser stops at MAX_NODES gates (here lowered to 50), naming the limit and the line."""
    monkeypatch.setattr(synth.syntax, "MAX_NODES", 50)
    ok = "\n".join(["t0 = not(x0)"] + [f"t{i} = not(t{i - 1})" for i in range(1, 50)])
    assert len(Program.parse(ok).nodes) == 50
    with pytest.raises(SynthError, match="line 51, column 7: the program has more than 50 gates"):
        Program.parse(ok + "\nt50 = not(t49)")


@pytest.mark.slow
def test_node_limit_at_the_real_limit():
    text = "not(" * (MAX_NODES + 1) + "x0" + ")" * (MAX_NODES + 1)
    with pytest.raises(SynthError, match="MAX_NODES"):
        Program.parse(text)
    p = Program.parse("not(" * (MAX_NODES - 1) + "x0" + ")" * (MAX_NODES - 1), basis="aon")
    assert p.depth == MAX_NODES - 1 and p.truth_table() == 0b01 and Program.parse(str(p), basis="aon") == p


# ----------------------------------------------------------------------------------------------
# memory: huge indices and moduli fail fast under an address-space limit
# ----------------------------------------------------------------------------------------------

_MEMORY_SCRIPT = textwrap.dedent("""
    import json, resource, sys
    import numpy as np
    from synth import Program, Spec, SynthError
    vm_kb = int(next(l for l in open("/proc/self/status") if l.startswith("VmSize")).split()[1])
    limit = vm_kb * 1024 + (512 << 20)          # what is mapped now + 512 MiB
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    path = sys.argv[1]
    cases = {
        "control: 2 GiB array": lambda: np.ones(1 << 31, dtype=np.uint8),
        "parse x99999999999999999999": lambda: Program.parse("x99999999999999999999"),
        "parse x10000000": lambda: Program.parse("x10000000"),
        "parse with n_inputs 10^9": lambda: Program.parse("x0", 10**9),
        "Program(10^8 inputs)": lambda: Program(10**8, [("0", ())]),
        "parse Z_p with p = 10^6": lambda: Program.parse("add(a, b)", p=10**6),
        "Program(p = 10^6)": lambda: Program(2, [("add", (0, 1))], p=10**6),
        "Spec p = 10^6": lambda: Spec.from_examples([[0, 1]], [1], p=10**6),
        "Spec.from_table n = 40": lambda: Spec.from_table(1, 40),
        "truth_table of 40 inputs": lambda: Program.parse("x39").truth_table(),
        "CSV value above 2^63": lambda: Spec.from_csv(path),
    }
    out = {}
    for name, f in cases.items():
        try:
            f()
            out[name] = "no error"
        except SynthError:
            out[name] = "SynthError"
        except MemoryError:
            out[name] = "MemoryError"
    print(json.dumps(out))
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_AS and /proc are Linux's")
def test_huge_sizes_fail_fast_under_a_memory_limit(tmp_path):
    f = tmp_path / "big.csv"
    f.write_text("x0,y\n0," + "9" * 30 + "\n")
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
    run = subprocess.run([sys.executable, "-c", _MEMORY_SCRIPT, str(f)], capture_output=True, text=True,
                         timeout=120, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out.pop("control: 2 GiB array") == "MemoryError"     # the limit bites
    assert out == {k: "SynthError" for k in out}, out


# ----------------------------------------------------------------------------------------------
# fuzz: the parser, Spec.from_examples and CSV reading never raise anything but SynthError
# ----------------------------------------------------------------------------------------------

FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
SLOW = settings(max_examples=3000, deadline=None, suppress_health_check=list(HealthCheck))

_PIECES = ["x0", "x1", "x2", "x17", "a", "b", "t0", "t1", "out", "out0", "out1", "out2", "0", "1", "2",
           "and", "or", "xor", "not", "maj", "ite", "nand", "add", "mul", "(", ")", ",", ";", "=", "\n",
           " ", "#", "x", "99999999999999999999", "\u0663", "\u00a0", "\t", "\r"]
_VALID = ["xor(x0, and(x1, x2))", "t0 = and(x1, x2); out = or(xor(x0, t0), t0)",
          "t = xor(x0, x1); out0 = xor(t, x2); out1 = maj(x0, x1, x2)", "out0 = x0; out1 = not(x1)",
          "ite(x0, not(x1), 1)", "out0 = 1; out1 = x0; out2 = and(x0, out1)", "not(not(not(x0)))"]

# explicit alphabet: st.text()'s default one costs seconds of set-up per process
_CHARS = [chr(c) for c in range(32, 127)] + ["\n", "\r", "\t", "\x00", "\x0b", "\u00a0", "\u00b2", "\u0663",
                                              "\u2028", "\ufeff", "\u00e9", "\U0001f600"]
chars = st.text(alphabet=st.sampled_from(_CHARS), max_size=80)
texts = st.one_of(
    chars,
    st.lists(st.sampled_from(_PIECES), max_size=40).map("".join),
)


@st.composite
def mutated_programs(draw):
    """A valid program text with a few random edits: deletions, insertions, replacements, copies."""
    text = draw(st.sampled_from(_VALID))
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(text)))
        j = draw(st.integers(i, min(len(text), i + 6)))
        op = draw(st.sampled_from(["delete", "insert", "replace", "copy"]))
        piece = draw(st.sampled_from(_PIECES))
        if op == "delete":
            text = text[:i] + text[j:]
        elif op == "insert":
            text = text[:i] + piece + text[i:]
        elif op == "replace":
            text = text[:i] + piece + text[j:]
        else:
            text = text[:i] + text[i:j] + text[i:]
    return text


def _parse_or_error(text: str, p) -> None:
    try:
        prog = Program.parse(text, p=p)
    except SynthError as e:
        assert "\n" not in str(e)
        return
    assert Program.parse(str(prog), prog.n_inputs, basis=prog.basis, p=prog.p) == prog


def _fuzz_parse(text, mutated, p):
    _parse_or_error(text, p)
    _parse_or_error(mutated, p)


@FAST
@given(texts, mutated_programs(), st.sampled_from([None, None, None, 7]))
def test_fuzz_parse(text, mutated, p):
    _fuzz_parse(text, mutated, p)


@pytest.mark.slow
@SLOW
@given(texts, mutated_programs(), st.sampled_from([None, None, None, 7]))
def test_fuzz_parse_slow(text, mutated, p):
    _fuzz_parse(text, mutated, p)


_values = st.one_of(
    st.integers(0, 1), st.integers(0, 1), st.integers(-3, 9), st.integers(2**62, 2**70),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, 1.0, True, False]),
    st.none(), st.text(alphabet=st.sampled_from(_CHARS), max_size=3),
    st.sampled_from([np.int64(1), np.uint8(0), np.float32(1.0)]),
)
_rows = st.lists(st.lists(_values, min_size=0, max_size=4), min_size=0, max_size=5)
_moduli = st.sampled_from([None, None, 3, 7, 0, 1, 2.5, True, 10**6, np.int64(5), "7"])


def _examples_or_error(X, y, Q, p) -> None:
    try:
        s = Spec.from_examples(X, y, Q, p=p)
    except SynthError as e:
        assert "\n" not in str(e)
        return
    hi = 2 if s.p is None else s.p
    assert s.n_examples >= 1 and s.X.shape[1] == s.n_inputs and s.y.shape[0] == s.n_examples
    for arr in (s.X, s.y, s.queries):
        assert arr.size == 0 or (arr.min() >= 0 and arr.max() < hi)


@FAST
@given(_rows, st.one_of(_rows, st.lists(_values, max_size=5)), st.one_of(st.none(), _rows), _moduli)
def test_fuzz_from_examples(X, y, Q, p):
    _examples_or_error(X, y, Q, p)


@pytest.mark.slow
@SLOW
@given(_rows, st.one_of(_rows, st.lists(_values, max_size=5)), st.one_of(st.none(), _rows), _moduli)
def test_fuzz_from_examples_slow(X, y, Q, p):
    _examples_or_error(X, y, Q, p)


_CSV_PIECES = ["0", "1", "0", "1", "2", "-1", "+1", ",", ",", ",", "\n", "\n", "\r\n", " ", "x0", "y", "#",
               "0.5", "1e3", ";", "\t", '"', "\ufeff", "\u0663", "nan", "99999999999999999999999"]
csv_texts = st.one_of(
    st.lists(st.sampled_from(_CSV_PIECES), max_size=40).map("".join),
    chars,
    st.binary(max_size=40),
)


def _csv_or_error(path, content, p, n_outputs) -> None:
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", "surrogatepass"))
    try:
        s = Spec.from_csv(path, p=p, n_outputs=n_outputs)
    except SynthError as e:
        assert "\n" not in str(e)
        return
    assert s.n_examples >= 1 and s.n_outputs == n_outputs and s.n_inputs >= 1


@FAST
@given(csv_texts, st.sampled_from([None, None, 5]), st.sampled_from([1, 1, 2]))
def test_fuzz_csv(tmp_path_factory, content, p, n_outputs):
    _csv_or_error(tmp_path_factory.mktemp("csv") / "f.csv", content, p, n_outputs)


@pytest.mark.slow
@SLOW
@given(csv_texts, st.sampled_from([None, None, 5]), st.sampled_from([1, 1, 2]))
def test_fuzz_csv_slow(tmp_path_factory, content, p, n_outputs):
    _csv_or_error(tmp_path_factory.mktemp("csv") / "f.csv", content, p, n_outputs)
