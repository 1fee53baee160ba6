"""The score scale: PD to a 350-950 score by points to double the odds (PDO), and score bands.

``factor = pdo / ln 2`` and ``offset = base_score - factor * ln(base_odds)`` give
``score = offset + factor * ln((1 - PD) / PD)``: the score rises by ``pdo`` points each time the
good:bad odds double, and equals ``base_score`` where the odds are ``base_odds``. Scores are
clipped to ``[low, high]``; inside that range the map is invertible (``pd_of``).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from microlend.errors import ConfigError

__all__ = ["DEFAULT_BANDS", "Band", "ScoreScale"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Band:
    """A named score band: every score at or above ``floor`` and below the next band's floor."""

    name: str
    floor: int


#: Bands best first. On the default scale their floors sit near PD 0.8 %, 2 %, 5 % and 12 %.
DEFAULT_BANDS: tuple[Band, ...] = (
    Band("excellent", 750),
    Band("good", 680),
    Band("fair", 620),
    Band("weak", 550),
    Band("poor", 350),
)


@dataclass(frozen=True)
class ScoreScale:
    """PDO scaling of a PD onto ``[low, high]``, with bands (policy settings, no learned state).

    The defaults (``pdo=50``, ``base_score=650``, ``base_odds=30``) spread the PDs of small online
    merchants, from about 0.1 % to 50 %, over most of 350-950: PD 0.1 % scores 903, 1 % scores
    736, 3.2 % (odds 30:1) scores 650, 10 % scores 563 and 50 % scores 405. Only PDs above about
    68 % reach the floor and only PDs below about 0.05 % reach the ceiling, so the clip rarely
    hides a difference between merchants, while 50 points per doubling of the odds keeps a
    tenfold change in risk within about 170 points.
    """

    pdo: float = 50.0
    base_score: float = 650.0
    base_odds: float = 30.0
    low: int = 350
    high: int = 950
    bands: tuple[Band, ...] = DEFAULT_BANDS

    def __post_init__(self) -> None:
        if not (self.pdo > 0 and self.base_odds > 0):
            raise ConfigError(f"pdo and base_odds must be > 0, got {self.pdo}, {self.base_odds}")
        if not self.low < self.high:
            raise ConfigError(f"score range must have low < high, got [{self.low}, {self.high}]")
        self._check_bands()

    def _check_bands(self) -> None:
        if not self.bands:
            raise ConfigError("a score scale needs at least one band")
        floors = [band.floor for band in self.bands]
        if any(upper <= lower for upper, lower in itertools.pairwise(floors)):
            raise ConfigError(f"band floors must be strictly decreasing (best first), got {floors}")
        if floors[-1] > self.low or floors[0] > self.high:
            raise ConfigError(f"bands {floors} must cover every score in [{self.low}, {self.high}]")
        if len({band.name for band in self.bands}) != len(self.bands):
            raise ConfigError("band names must be unique")

    @property
    def factor(self) -> float:
        """Points per unit of log-odds: ``pdo / ln 2``."""
        return self.pdo / math.log(2.0)

    @property
    def offset(self) -> float:
        """The unclipped score at even odds (PD 50 %): ``base_score - factor * ln(base_odds)``."""
        return self.base_score - self.factor * math.log(self.base_odds)

    def from_log_odds(self, default_log_odds: npt.ArrayLike) -> FloatArray:
        """Scores of log-odds of default ``ln(PD / (1 - PD))`` (a model's margin); ±inf allowed."""
        log_odds = np.asarray(default_log_odds, dtype=np.float64)
        if np.isnan(log_odds).any():
            raise ValueError("log-odds must not be NaN")
        unclipped = self.offset - self.factor * log_odds
        return np.clip(unclipped, self.low, self.high)

    def score(self, pd: npt.ArrayLike) -> FloatArray:
        """Unrounded scores of PDs; PD 0 and 1 land on ``high`` and ``low``."""
        probability = np.asarray(pd, dtype=np.float64)
        if not np.all((probability >= 0.0) & (probability <= 1.0)):
            raise ValueError("a PD must lie in [0, 1] and not be NaN")
        with np.errstate(divide="ignore"):
            log_odds = np.log(probability) - np.log1p(-probability)
        return self.from_log_odds(log_odds)

    def points(self, pd: npt.ArrayLike) -> IntArray:
        """Scores as shown to people: ``score`` rounded to whole points."""
        return np.rint(self.score(pd)).astype(np.int64)

    def pd_of(self, score: npt.ArrayLike) -> FloatArray:
        """The PD that scores ``score``; the inverse of ``score`` on ``[low, high]``."""
        points = np.asarray(score, dtype=np.float64)
        if not np.all((points >= self.low) & (points <= self.high)):
            raise ValueError(f"a score must lie in [{self.low}, {self.high}] and not be NaN")
        default_log_odds = (self.offset - points) / self.factor
        return 1.0 / (1.0 + np.exp(-default_log_odds))

    def band_rank(self, score: npt.ArrayLike) -> IntArray:
        """Rank of each score's band: 0 is the worst band, ``len(bands) - 1`` the best."""
        floors = np.array([band.floor for band in reversed(self.bands)], dtype=np.float64)
        ranks = np.searchsorted(floors, np.asarray(score, dtype=np.float64), side="right") - 1
        return np.clip(ranks, 0, len(floors) - 1).astype(np.int64)

    def band(self, score: float) -> str:
        """Name of the band of one score."""
        return self.band_name(int(self.band_rank(score)))

    def band_names(self, points: npt.ArrayLike) -> list[str]:
        """The band of each score."""
        names = [self.band_name(rank) for rank in range(len(self.bands))]
        return [names[rank] for rank in self.band_rank(points).tolist()]

    def band_names_of(self, pd: npt.ArrayLike) -> list[str]:
        """The band of each PD, as a rating shows it: by its score in whole points."""
        return self.band_names(self.points(pd))

    @property
    def band_order(self) -> list[str]:
        """Every band's name, best first."""
        return [band.name for band in self.bands]

    def band_name(self, rank: int) -> str:
        """Name of the band of rank ``rank`` (0 is the worst)."""
        return self.bands[len(self.bands) - 1 - rank].name

    @property
    def best_rank(self) -> int:
        """Rank of the best band."""
        return len(self.bands) - 1
