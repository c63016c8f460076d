"""Shared pytest set-up: the `slow` marker, and `tests/` on sys.path so tests can `import reference`."""

import os
import sys
import tempfile

_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
try:  # a plain checkout without `pip install -e .`: make `import synth` find the project root
    import synth  # noqa: F401
except ImportError:
    sys.path.insert(0, os.path.dirname(_HERE))


# computed censuses and other caches go to a fresh folder, never the user's ~/.cache (subprocesses inherit it)
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="occam-test-cache-")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: long tests")
