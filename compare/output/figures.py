"""Figure helpers shared by the reports: one colour-blind-safe palette, `matplotlib.figure.Figure`
objects (no pyplot state, no backend switch), the reports' style through `matplotlib.rc_context` (the
user's global rcParams are never changed), and PNG files written atomically and without time stamps
(the same data give the same bytes).

>>> fig, ax = subplots(figsize=(2, 1))
>>> type(fig).__name__, ax.spines["top"].get_visible()
('Figure', False)
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from .runfolder import atomic_write_bytes

__all__ = ["PALETTE", "STYLE", "subplots", "pyplot", "save_png"]

# Okabe–Ito colour-blind-safe palette
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


# the reports' style, applied with matplotlib.rc_context while a figure is made and while it is saved
STYLE = {"font.size": 10, "axes.spines.top": False, "axes.spines.right": False, "savefig.dpi": 130}

_FIGURE_KEYS = ("figsize", "dpi", "layout", "constrained_layout", "tight_layout", "facecolor")


def subplots(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Any, Any]:
    """``(figure, axes)`` like ``matplotlib.pyplot.subplots``, but a bare `matplotlib.figure.Figure` (not
    registered with pyplot, so nothing to close and no backend involved) drawn in the reports' `STYLE`.
    Figure options (``figsize``, ``dpi``, ``layout``) go to the figure, the rest to ``Figure.subplots``."""
    import matplotlib
    from matplotlib.figure import Figure

    fig_kw = {k: kwargs.pop(k) for k in _FIGURE_KEYS if k in kwargs}
    with matplotlib.rc_context(STYLE):
        fig = Figure(**fig_kw)
        return fig, fig.subplots(nrows, ncols, **kwargs)


class _Figures:
    """What the report modules call on ``pyplot()``: ``subplots`` (see `subplots`) and a no-op ``close``."""

    subplots = staticmethod(subplots)

    @staticmethod
    def close(fig: Any = None) -> None:
        """Nothing to do: figures made here are not registered with pyplot."""


def pyplot() -> Any:
    """The figure maker of the reports (``pyplot().subplots(...)``): `subplots` on bare `Figure` objects;
    kept under its old name for the report modules. It neither imports pyplot nor touches the backend."""
    return _Figures()


def save_png(fig: Any, path: str | Path) -> str:
    """Write ``fig`` to ``path`` as PNG (atomically, in the reports' `STYLE`) and return the file name."""
    import matplotlib

    path = Path(path)
    buf = io.BytesIO()
    with matplotlib.rc_context(STYLE):
        fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    atomic_write_bytes(path, buf.getvalue())
    return path.name
