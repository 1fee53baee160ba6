"""Charts of the model report as inline PNG (base64): the page works offline, with no CDN. Its
calibration chart is the dashboard's own SVG one (``_charts.calibration_chart``); colours come
from the one palette (``_palette``)."""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # no display: files only

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from microlend.dashboard._palette import ACT, PALETTE, STABLE, WATCH
from microlend.monitoring import STABLE_BELOW, WATCH_BELOW, Stability
from microlend.service import Curve

__all__ = ["importance_chart", "psi_chart", "roc_chart", "score_chart"]

_SIZE = (6.0, 4.0)


def _png(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def roc_chart(curves: Sequence[Curve]) -> str:
    figure, ax = plt.subplots(figsize=_SIZE)
    for index, curve in enumerate(curves):
        colour = PALETTE[index % len(PALETTE)]
        ax.plot(curve.fpr, curve.tpr, color=colour, label=f"{curve.name} (AUC {curve.auc:.3f})")
    ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="random")
    ax.set(xlabel="false positive rate (goods declined)", ylabel="true positive rate (bads caught)")
    ax.set_title("ROC, out-of-time test")
    ax.legend(loc="lower right")
    return _png(figure)


def score_chart(train: np.ndarray, test: np.ndarray, low: int, high: int) -> str:
    figure, ax = plt.subplots(figsize=_SIZE)
    edges = np.linspace(low, high, 31).tolist()
    ax.hist(
        train, bins=edges, alpha=0.5, density=True, color=PALETTE[0], label="training applications"
    )
    ax.hist(test, bins=edges, alpha=0.5, density=True, color=PALETTE[1], label="test applications")
    ax.set(xlabel="score (350-950)", ylabel="density")
    ax.set_title("Score distribution")
    ax.legend(loc="upper left")
    return _png(figure)


def importance_chart(importance: Sequence[tuple[str, float]], top: int = 15) -> str:
    shown = list(importance[:top])[::-1]
    figure, ax = plt.subplots(figsize=(6.0, 5.0))
    ax.barh([name for name, _ in shown], [value for _, value in shown], color=PALETTE[0])
    ax.set(xlabel="mean |contribution| to log-odds of default")
    ax.set_title("Feature importance (test set)")
    return _png(figure)


def psi_chart(stability: Sequence[Stability]) -> str:
    figure, ax = plt.subplots(figsize=(6.0, 4.5))
    shown = list(stability)[::-1]
    colours = [
        STABLE if s.psi < STABLE_BELOW else WATCH if s.psi < WATCH_BELOW else ACT for s in shown
    ]
    ax.barh([s.name for s in shown], [s.psi for s in shown], color=colours)
    ax.axvline(STABLE_BELOW, color=WATCH, linestyle="--", label=f"watch ({STABLE_BELOW})")
    ax.axvline(WATCH_BELOW, color=ACT, linestyle="--", label=f"act ({WATCH_BELOW})")
    ax.set(xlabel="PSI, test against training")
    ax.set_title("Stability of the score and top features")
    ax.legend(loc="lower right")
    return _png(figure)
