"""synth.spec: building specs from tables, examples, CSV files and target programs; validation."""

from __future__ import annotations

import numpy as np
import pytest

from synth import Program, Spec, SynthError


def _index(X) -> list[int]:
    """Point index t of each row (x_i = (t >> i) & 1)."""
    X = np.asarray(X, dtype=np.int64)
    return (X @ (1 << np.arange(X.shape[1]))).tolist()


# ----------------------------------------------------------------------------------------------
# from_table
# ----------------------------------------------------------------------------------------------

def test_from_table_full():
    s = Spec.from_table(0x96, 3)
    assert (s.n_inputs, s.n_examples, s.n_queries) == (3, 8, 0)
    assert s.is_boolean and s.p is None
    assert sorted(_index(s.X)) == list(range(8))
    for t, v in zip(_index(s.X), s.y.tolist()):
        assert v == (0x96 >> t) & 1
    assert s.covers_domain()


def test_from_table_row_convention():
    s = Spec.from_table(0xAA, 3)       # x0
    assert s.X[:, 0].tolist() == s.y.tolist()
    s = Spec.from_table(0xF0, 3)       # x2
    assert s.X[:, 2].tolist() == s.y.tolist()


@pytest.mark.parametrize("care", [0x0F, 0xF0, 0x81, 0x01, 0xFE])
def test_from_table_care_mask(care):
    s = Spec.from_table(0x96, 3, care=care)
    known = [t for t in range(8) if (care >> t) & 1]
    assert sorted(_index(s.X)) == known
    assert sorted(_index(s.queries)) == [t for t in range(8) if not (care >> t) & 1]
    assert s.n_examples + s.n_queries == 8
    for t, v in zip(_index(s.X), s.y.tolist()):
        assert v == (0x96 >> t) & 1
    assert s.covers_domain()


def test_from_table_many_inputs():
    n = 12
    table = int.from_bytes(np.random.default_rng(1).integers(0, 256, (1 << n) // 8, dtype=np.uint8)
                           .tobytes(), "little")
    s = Spec.from_table(table, n)
    assert s.n_examples == 1 << n
    idx = _index(s.X)
    assert all(int(v) == (table >> t) & 1 for t, v in zip(idx, s.y.tolist()))


@pytest.mark.parametrize("args,fragment", [
    ((1, 30), "too large"),                   # 2^30 points: refused, not attempted
    ((0x1FF, 3), "does not fit"),
    ((-1, 3), "does not fit"),
    ((0x96, 0), "n must be"),
])
def test_from_table_errors(args, fragment):
    with pytest.raises(SynthError, match=fragment):
        Spec.from_table(*args)


def test_from_table_care_errors():
    with pytest.raises(SynthError, match="empty"):
        Spec.from_table(0x96, 3, care=0)
    with pytest.raises(SynthError):
        Spec.from_table(0x96, 3, care=0x1FF)


# ----------------------------------------------------------------------------------------------
# from_examples
# ----------------------------------------------------------------------------------------------

def test_from_examples():
    X = [[0, 0], [0, 1], [1, 1]]
    s = Spec.from_examples(X, [0, 1, 0], queries=[[1, 0]])
    assert (s.n_inputs, s.n_examples, s.n_queries) == (2, 3, 1)
    assert s.X.tolist() == X and s.y.tolist() == [0, 1, 0] and s.queries.tolist() == [[1, 0]]
    assert s.covers_domain()
    assert not Spec.from_examples(X, [0, 1, 0]).covers_domain()
    # bool arrays and repeated consistent rows are fine; duplicates are dropped
    s = Spec.from_examples(np.array([[True, False], [True, False]]), np.array([True, True]))
    assert s.n_examples == 1 and s.y.tolist() == [1]


def test_from_examples_zp():
    s = Spec.from_examples([[0, 1], [2, 3], [6, 6]], [1, 5, 5], p=7)
    assert s.p == 7 and not s.is_boolean and s.n_examples == 3
    with pytest.raises(SynthError, match="outputs"):
        Spec.from_examples([[0, 1]], [7], p=7)


@pytest.mark.parametrize("X,y,fragment", [
    ([[0, 1], [0, 1]], [0, 1], "given two outputs"),
    (np.zeros((0, 3)), [], "empty"),
    ([[0, 2]], [1], "inputs must be 0/1"),
    ([[0, 1]], [2], "outputs must be 0/1"),
    ([[0, 1]], [-1], "outputs must be 0/1"),
    ([[0, 1], [1, 1]], [1], "input rows"),
    ([[0.5, 1]], [1], "integers"),
])
def test_from_examples_errors(X, y, fragment):
    with pytest.raises(SynthError) as e:
        Spec.from_examples(X, y)
    assert fragment in str(e.value)


def test_contradiction_message_names_the_rows():
    with pytest.raises(SynthError) as e:
        Spec.from_examples([[0, 0], [1, 1], [1, 1]], [0, 1, 0])
    msg = str(e.value)
    assert "[1, 1]" in msg and "row 1" in msg and "row 2" in msg


def test_queries_shape_checked():
    with pytest.raises(SynthError, match="queries"):
        Spec.from_examples([[0, 1]], [1], queries=[[0, 1, 1]])


# ----------------------------------------------------------------------------------------------
# from_csv
# ----------------------------------------------------------------------------------------------

def test_from_csv(tmp_path):
    f = tmp_path / "data.csv"
    f.write_text("x0,x1,y\n0,0,0\n0,1,1\n1,0,1\n")
    q = tmp_path / "q.csv"
    q.write_text("1,1\n")
    s = Spec.from_csv(f, queries=q)
    assert s.X.tolist() == [[0, 0], [0, 1], [1, 0]] and s.y.tolist() == [0, 1, 1]
    assert s.queries.tolist() == [[1, 1]]
    assert str(f) in s.source
    # no header, a comment line and a blank line; queries with an (ignored) output column
    g = tmp_path / "plain.csv"
    g.write_text("# xor\n0,0,0\n\n1,1,0\n")
    q2 = tmp_path / "q2.csv"
    q2.write_text("0,1,9\n")
    s = Spec.from_csv(g, queries=q2)
    assert s.X.tolist() == [[0, 0], [1, 1]] and s.queries.tolist() == [[0, 1]]


def test_from_csv_zp(tmp_path):
    f = tmp_path / "zp.csv"
    f.write_text("a,b,c\n1,2,3\n4,5,2\n")
    s = Spec.from_csv(f, p=7)
    assert s.p == 7 and s.y.tolist() == [3, 2]


@pytest.mark.parametrize("text,line", [
    ("x0,x1,y\n0,0,0\n0,a,1\n", 3),          # not an integer
    ("0,0,0\n0,1\n", 2),                      # wrong number of columns
    ("x0,x1,y\n0,0,0\n0,1,1,1\n", 3),
], ids=["not-an-integer", "too-few-columns", "too-many-columns"])
def test_from_csv_parse_errors_name_file_and_line(tmp_path, text, line):
    f = tmp_path / "bad.csv"
    f.write_text(text)
    with pytest.raises(SynthError) as e:
        Spec.from_csv(f)
    assert str(f) in str(e.value) and f"line {line}" in str(e.value)


def test_from_csv_empty_and_missing(tmp_path):
    f = tmp_path / "empty.csv"
    f.write_text("x0,x1,y\n")
    with pytest.raises(SynthError) as e:
        Spec.from_csv(f)
    assert str(f) in str(e.value) and "empty" in str(e.value)
    with pytest.raises(SynthError) as e:
        Spec.from_csv(tmp_path / "missing.csv")
    assert "missing.csv" in str(e.value)
    g = tmp_path / "one.csv"
    g.write_text("1\n0\n")
    with pytest.raises(SynthError, match="one.csv"):
        Spec.from_csv(g)


@pytest.mark.parametrize("text,line,fragment", [
    ("x0,x1,y\n0,0,0\n0,2,1\n", 3, "0/1"),             # a value outside {0, 1}
    ("x0,x1,y\n0,0,0\n1,1,1\n0,0,1\n", 4, "two outputs"),  # one input given two outputs
], ids=["value-2", "two-outputs"])
def test_from_csv_value_errors_name_file_and_line(tmp_path, text, line, fragment):
    """Errors found after parsing should still point at the file *line* (DESIGN.md: messages say
    where: file, key, line), not at a 0-based data row."""
    f = tmp_path / "vals.csv"
    f.write_text(text)
    with pytest.raises(SynthError) as e:
        Spec.from_csv(f)
    msg = str(e.value)
    assert str(f) in msg and fragment in msg
    assert f"line {line}" in msg, msg


# ----------------------------------------------------------------------------------------------
# from_program
# ----------------------------------------------------------------------------------------------

def test_from_program_split():
    target = Program.parse("xor(x0, and(x1, x2))", 5)
    a = Spec.from_program(target, 0.5, seed=3)
    b = Spec.from_program(target, 0.5, seed=3)
    c = Spec.from_program(target, 0.5, seed=4)
    assert np.array_equal(a.X, b.X) and np.array_equal(a.queries, b.queries)
    assert not np.array_equal(a.X, c.X)
    assert a.n_examples == 16 and a.n_queries == 16
    assert sorted(_index(a.X) + _index(a.queries)) == list(range(32))   # train + held-out = all
    t = target.truth_table()
    assert a.y.tolist() == [(t >> i) & 1 for i in _index(a.X)]
    assert a.query_targets.tolist() == [(t >> i) & 1 for i in _index(a.queries)]
    assert a.covers_domain()


@pytest.mark.parametrize("n_train", [1, 7, 15, 16])
def test_from_program_n_train(n_train):
    target = Program.parse("maj(x0, x1, x3)", 4)
    s = Spec.from_program(target, n_train=n_train, seed=0)
    assert s.n_examples == n_train and s.n_queries == 16 - n_train
    assert sorted(_index(s.X) + _index(s.queries)) == list(range(16))


def test_from_program_errors():
    target = Program.parse("and(x0, x1)")
    with pytest.raises(SynthError):
        Spec.from_program(target, train_fraction=0.0)
    with pytest.raises(SynthError):
        Spec.from_program(target, train_fraction=1.5)
    with pytest.raises(SynthError):
        Spec.from_program(target, n_train=5)
    with pytest.raises(SynthError):
        Spec.from_program(Program.parse("add(a, b)", p=5))
    with pytest.raises(SynthError):
        Spec.from_program("and(x0, x1)")


# ----------------------------------------------------------------------------------------------
# several outputs
# ----------------------------------------------------------------------------------------------

def test_from_tables_several_outputs():
    s = Spec.from_tables((0x96, 0xE8), 3)                  # full adder: sum, carry
    assert (s.n_inputs, s.n_outputs, s.n_examples) == (3, 2, 8) and s.y.shape == (8, 2)
    for t, (a, b) in zip(_index(s.X), s.y.tolist()):
        assert (a, b) == ((0x96 >> t) & 1, (0xE8 >> t) & 1)
    assert "outputs=2" in repr(s)
    c = Spec.from_tables([0x96, np.int64(0xE8)], 3, care=0x0F)
    assert c.n_examples == 4 and c.n_queries == 4 and c.y.shape == (4, 2)
    assert c.description_bits() == 8.0                     # 4 unknown points x 2 outputs
    one = Spec.from_tables([0x96], 3)                      # one table: an ordinary one-output spec
    assert one.n_outputs == 1 and one.y.shape == (8,) and one.y.tolist() == Spec.from_table(0x96, 3).y.tolist()


def test_from_examples_two_dimensional_outputs():
    X = [[0, 0], [0, 1], [1, 0], [1, 1]]
    Y = [[0, 0], [1, 0], [1, 0], [0, 1]]                   # half adder
    s = Spec.from_examples(X, Y)
    assert s.n_outputs == 2 and s.y.tolist() == Y
    # a (m, 1) array is one output
    s1 = Spec.from_examples(X, np.array(Y)[:, :1])
    assert s1.n_outputs == 1 and s1.y.shape == (4,)
    # repeated rows: dropped when they agree on every output, an error naming both rows otherwise
    s2 = Spec.from_examples(X + [[1, 1]], Y + [[0, 1]])
    assert s2.n_examples == 4
    with pytest.raises(SynthError) as e:
        Spec.from_examples(X + [[1, 1]], Y + [[1, 1]])
    assert "[1, 1]" in str(e.value) and "row 3" in str(e.value) and "row 4" in str(e.value)
    with pytest.raises(SynthError, match="outputs must be 0/1"):
        Spec.from_examples(X, [[0, 0], [1, 2], [1, 0], [0, 1]])


def test_from_program_with_several_outputs():
    adder = Program.parse("t = xor(x0, x1); out0 = xor(t, x2); out1 = maj(x0, x1, x2)")
    s = Spec.from_program(adder, n_train=5, seed=2)
    assert s.n_outputs == 2 and s.y.shape == (5, 2) and s.query_targets.shape == (3, 2)
    for row, y in zip(s.X.tolist() + s.queries.tolist(), s.y.tolist() + s.query_targets.tolist()):
        assert y == [sum(row) % 2, int(sum(row) >= 2)]


def test_from_csv_several_outputs(tmp_path):
    f = tmp_path / "adder.csv"
    f.write_text("a,b,sum,carry\n0,0,0,0\n0,1,1,0\n1,0,1,0\n1,1,0,1\n")
    s = Spec.from_csv(f, n_outputs=2)
    assert s.n_inputs == 2 and s.n_outputs == 2 and s.y[:, 1].tolist() == [0, 0, 0, 1]
    g = tmp_path / "bad.csv"
    g.write_text("0,0,0,0\n1,1,0,1\n1,1,0,0\n")
    with pytest.raises(SynthError) as e:
        Spec.from_csv(g, n_outputs=2)
    assert "line 3" in str(e.value) and "line 2" in str(e.value) and "two outputs" in str(e.value)


# ----------------------------------------------------------------------------------------------
# CSV: byte-order mark, headers, values
# ----------------------------------------------------------------------------------------------

def test_from_csv_with_excel_byte_order_mark(tmp_path):
    """Excel writes a UTF-8 BOM: the first data row must be read, not taken for a header."""
    f = tmp_path / "and.csv"
    f.write_bytes(b"\xef\xbb\xbf1,1,1\n0,0,0\n0,1,0\n1,0,0\n")
    s = Spec.from_csv(f)
    assert s.n_examples == 4 and s.X.tolist() == [[1, 1], [0, 0], [0, 1], [1, 0]]
    assert s.y.tolist() == [1, 0, 0, 0]
    g = tmp_path / "header.csv"
    g.write_bytes(b"\xef\xbb\xbfx0,x1,y\r\n1,1,1\r\n0,0,0\r\n")   # BOM, header, Windows line ends
    assert Spec.from_csv(g).n_examples == 2


@pytest.mark.parametrize("first,fragment", [
    ("0.5,1,1", "'0.5'"),
    ("x0,1,y", "'x0'"),
    ("1.0,1,1", "not a whole number"),
    ("0;1;1", "separated by commas"),
], ids=["fraction", "mixed-names-and-numbers", "float-notation", "semicolons"])
def test_from_csv_first_row_is_never_dropped_silently(tmp_path, first, fragment):
    f = tmp_path / "d.csv"
    f.write_text(first + "\n0,0,0\n")
    with pytest.raises(SynthError) as e:
        Spec.from_csv(f)
    assert str(f) in str(e.value) and "line 1" in str(e.value) and fragment in str(e.value)


def test_from_csv_zp_values_and_numpy_ints(tmp_path):
    f = tmp_path / "zp.csv"
    f.write_text("a,b,c\n1,2,3\n4,5,7\n")
    with pytest.raises(SynthError) as e:
        Spec.from_csv(f, p=7)
    assert "line 3, column 3" in str(e.value) and "in 0..6" in str(e.value)
    assert Spec.from_csv(f, p=np.int64(11)).p == 11


def test_query_targets_follow_deduplicated_queries():
    s = Spec([[0, 0]], [0], [[1, 0], [0, 1], [1, 0]], query_targets=[1, 0, 1])
    assert s.queries.tolist() == [[1, 0], [0, 1]] and s.query_targets.tolist() == [1, 0]


def test_numpy_scalars_accepted_everywhere():
    s = Spec.from_table(np.int64(0x96), np.int32(3), care=np.uint8(0x0F))
    assert s.n_examples == 4
    target = Program.parse("xor(x0, x1)")
    s = Spec.from_program(target, np.float64(0.5), seed=np.int64(1), n_train=np.int16(2))
    assert s.n_examples == 2
    assert Spec.from_examples(np.array([[0, 1]], dtype=np.int8), np.array([1], dtype=np.uint64),
                              p=np.int64(5)).p == 5
