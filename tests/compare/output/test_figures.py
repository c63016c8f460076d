"""Drawing a report figure leaves the user's matplotlib backend and rcParams as they were."""

import subprocess
import sys
import textwrap

import matplotlib
import numpy as np

from compare.output import figures

_FRESH = textwrap.dedent("""
    import sys, matplotlib
    matplotlib.rcParams["font.size"] = 7.5            # a user's own setting
    backend, before = matplotlib.get_backend(), dict(matplotlib.rcParams)
    import compare.runs.report, compare.studies.prior_report, compare.studies.posterior_report
    import compare.studies.learnability
    from compare.output import figures
    fig, ax = figures.pyplot().subplots(figsize=(3, 2))
    ax.plot([0, 1], [1, 0]); ax.set_title("t")
    figures.save_png(fig, sys.argv[1])
    after = dict(matplotlib.rcParams)
    changed = sorted(k for k in before if before[k] != after[k])
    print(matplotlib.get_backend() == backend, changed, after["font.size"])
""")


def test_importing_and_drawing_in_a_fresh_process_leaves_matplotlib_alone(tmp_path):
    out = subprocess.run([sys.executable, "-c", _FRESH, str(tmp_path / "f.png")], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "[]", "7.5"]
    assert (tmp_path / "f.png").stat().st_size > 0


def test_drawing_a_figure_changes_no_global_matplotlib_state(tmp_path):
    backend = matplotlib.get_backend()
    before = dict(matplotlib.rcParams)
    fig, (a, b) = figures.pyplot().subplots(1, 2, figsize=(4, 2))
    a.plot(np.arange(3), np.arange(3), color=figures.PALETTE[0])
    b.set_title("a title")
    assert figures.save_png(fig, tmp_path / "f.png") == "f.png"
    assert (tmp_path / "f.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert matplotlib.get_backend() == backend
    after = dict(matplotlib.rcParams)
    assert after == before, {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    # the reports' style is applied to the figure itself
    assert not a.spines["top"].get_visible() and not a.spines["right"].get_visible()
    assert type(fig).__module__ == "matplotlib.figure"


def test_the_same_figure_gives_the_same_bytes(tmp_path):
    def draw(name):
        fig, ax = figures.subplots(figsize=(3, 2))
        ax.plot([0, 1, 2], [1, 0, 2])
        figures.save_png(fig, tmp_path / name)
        return (tmp_path / name).read_bytes()

    assert draw("a.png") == draw("b.png")
