"""Figure helpers shared by the reports: matplotlib on the Agg backend, one colour-blind-safe palette,
PNG files written atomically and without time stamps (the same data give the same bytes)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from .runfolder import atomic_write_bytes

__all__ = ["PALETTE", "pyplot", "save_png"]

# Okabe–Ito colour-blind-safe palette
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]


def pyplot() -> Any:
    """`matplotlib.pyplot` on the Agg backend with the reports' style (imported on first use)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    plt.rcParams.update({"font.size": 10, "axes.spines.top": False, "axes.spines.right": False,
                         "savefig.dpi": 130})
    return plt


def save_png(fig: Any, path: str | Path) -> str:
    """Write ``fig`` to ``path`` as PNG (atomically), close it, and return the file name."""
    path = Path(path)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight", metadata={"Software": None})
    pyplot().close(fig)
    atomic_write_bytes(path, buf.getvalue())
    return path.name
