"""Every option of every ``occam`` subcommand has help text that states its default; one vocabulary
(``--inputs`` is a count, the input encoding is ``--encoding``, ``--seeds`` says count or range); progress
bars only on a terminal."""

from __future__ import annotations

import argparse
import io

import pytest

from compare import cli
from synth import cli as synth_cli


def _subcommands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path, parser) of every leaf subcommand under ``parser``."""
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        yield path, parser
        return
    for sub in subs:
        for name, child in sub.choices.items():
            yield from _subcommands(child, path + (name,))


def _all_subcommands():
    found = {}
    for study in (None, "prior", "posterior", "learnability"):
        for path, p in _subcommands(cli.build_parser(with_study=study)):
            if study is None or path == (study,):
                found[path] = p
    return found


def _help(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    """The help text of ``action`` as ``--help`` prints it (defaults expanded)."""
    text = parser.formatter_class(parser.prog)._get_help_string(action)
    return text % {**vars(action), "prog": parser.prog,
                   "choices": ", ".join(map(str, action.choices or ()))}


def test_every_subcommand_is_walked():
    paths = set(_all_subcommands())
    assert {("synth", "table"), ("synth", "examples"), ("synth", "census"), ("synth", "parse"),
            ("case", "run"), ("case", "list"), ("compare", "programs"), ("compare", "net"), ("sweep",),
            ("report",), ("prior",), ("posterior",), ("learnability",)} == paths


@pytest.mark.parametrize("path", sorted(_all_subcommands()), ids=" ".join)
def test_every_option_has_help_and_shows_its_default(path):
    parser = _all_subcommands()[path]
    options = [a for a in parser._actions if a.option_strings and not isinstance(a, argparse._HelpAction)]
    assert options
    for action in options:
        text = _help(parser, action)
        name = "/".join(action.option_strings)
        assert text.strip(), f"occam {' '.join(path)} {name}: no help text"
        if action.default is not None and action.nargs != 0:      # flags (on/off) have no value to show
            assert "(default: " in text, f"occam {' '.join(path)} {name}: default not shown: {text!r}"
            if action.default != []:                               # repeatable options: "(default: none)"
                assert _shows(text, action.default), (path, name, action.default, text)


def _shows(text: str, default) -> bool:
    """``text`` states ``default`` (a number may be written 6e8 for 600000000)."""
    if str(default) in text:
        return True
    if isinstance(default, (int, float)) and not isinstance(default, bool):
        shown = text.rsplit("(default: ", 1)[1].split(")", 1)[0]
        try:
            return float(shown) == default
        except ValueError:
            return False
    return False


def test_help_prints_defaults():
    out = io.StringIO()
    parser = cli.build_parser(with_study="prior")
    prior = parser._subparsers._group_actions[0].choices["prior"]
    prior.print_help(out)
    text = " ".join(out.getvalue().split())
    assert "--samples SAMPLES networks to sample, a count (1e6 accepted) (default: 100000)" in text
    assert "--encoding {01,pm1}" in text and "(default: 01)" in text


def test_inputs_is_a_count_and_the_old_encoding_spelling_is_deprecated(capsys):
    parser = cli.build_parser(with_study="posterior")
    args = parser.parse_args(["posterior", "--inputs", "4", "--out", "x"])
    assert (args.n, args.encoding) == (4, "01")
    args = parser.parse_args(["posterior", "--n", "3", "--encoding", "pm1", "--out", "x"])
    assert (args.n, args.encoding) == (3, "pm1")
    assert capsys.readouterr().err == ""
    args = parser.parse_args(["posterior", "--inputs", "pm1", "--out", "x"])
    assert (args.n, args.encoding) == (5, "pm1")
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "deprecated" in err and "--encoding pm1" in err


def test_case_run_seeds_is_a_count(capsys):
    assert cli.main(["case", "run", "conjunction", "--seeds", "0:2"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "occam sweep CASE --seeds A:B" in err
    assert cli.build_parser().parse_args(["case", "run", "conjunction", "--seeds", "3"]).seeds == 3


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal():
    pipe = io.StringIO()
    bar = synth_cli.ProgressBar(False, "case run", stream=pipe, delay=0)
    bar("seed 1/2 (0): running")
    bar("seed 1/2 (0): done in 1.0 s")
    bar.close()
    assert not bar.enabled and pipe.getvalue() == ""

    quiet = synth_cli.ProgressBar(True, "case run", stream=_Terminal(), delay=0)
    assert not quiet.enabled

    term = _Terminal()
    with synth_cli.ProgressBar(False, "case run", stream=term, delay=0) as bar:
        bar("seed 1/2 (0): running")
        assert (bar._bar.n, bar._bar.total) == (0, 2)
        bar("seed 1/2 (0): done in 1.0 s")
        assert bar._bar.n == 1
        bar("writing figures and report.md ...")        # not a count: printed above the bar
        bar("[2/8] sparse_parity#1: done in 3.0 s")     # another loop: a new bar
        assert (bar._bar.n, bar._bar.total) == (2, 8)
        bar("size 3: 120 new signatures")
        assert bar._bar.n == 3
    shown = term.getvalue()
    assert "0/2" in shown and "case run: writing figures and report.md ..." in shown


def test_progress_bar_named_loops_get_their_own_label():
    term = _Terminal()
    with synth_cli.ProgressBar(False, "prior", stream=term, delay=0, named=("bootstrap",)) as bar:
        bar("sampled 1/4 batches")
        assert bar._bar.desc == "prior"
        bar("bootstrap 3/10 resamples")
        assert (bar._bar.desc, bar._bar.n, bar._bar.total) == ("prior bootstrap", 3, 10)
        bar("bootstrap 1/10 resamples")                 # the next interval: a fresh bar
        assert bar._bar.n == 1
    assert "prior bootstrap:" in term.getvalue()
