"""The ``occam`` command: one console script, one group of subcommands per library area.

``occam synth table|examples|census|parse ...`` are the `synth` commands (`synth.cli`); the groups of
the comparison side (case studies, comparisons, reports, sweeps) join here as they are built. Every
subcommand is a thin wrapper over a public library function; a user's mistake prints one line
``occam: error: ...`` and exits with status 2.
"""

from __future__ import annotations

import sys
from typing import Sequence

from synth import cli as synth_cli

__all__ = ["build_parser", "main"]


def build_parser():
    """The argparse parser of ``occam`` (groups: synth)."""
    parser = synth_cli.CLIParser(prog="occam", description="occam-circuits: do trained networks "
                                 "implement the simplest programs that fit their data?")
    groups = parser.add_subparsers(dest="group", metavar="GROUP", required=True,
                                   parser_class=synth_cli.CLIParser)
    g = groups.add_parser("synth", help="shortest programs in the circuit DSL (table, examples, census, "
                          "parse)", description="Shortest programs in the circuit DSL.")
    sub = g.add_subparsers(dest="command", metavar="COMMAND", required=True,
                           parser_class=synth_cli.CLIParser)
    synth_cli.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``occam``; returns the exit status (0 success, 2 a user's mistake)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:
        return e.code if isinstance(e.code, int) else (0 if e.code is None else 2)
    return synth_cli.run(args)


if __name__ == "__main__":
    sys.exit(main())
