"""``python -m synth``: the `synth` command line (see `synth.cli`)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
