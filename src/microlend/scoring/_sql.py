"""A WoE scorecard and the score scale as SQL: the PD and the 350-950 score of a row, each one
expression over the feature columns, that DuckDB, PostgreSQL and Spark SQL all run.

Only what the three engines read alike is written:

- every number in E notation (``0.5E0``): DuckDB and Spark read it as DOUBLE, PostgreSQL as an
  exact NUMERIC (a plain ``0.5`` would be a DECIMAL in Spark, whose products can overflow its
  38 digits). PostgreSQL then computes in decimals rather than binary floats: its PDs agree with
  the others' to about 1e-15;
- ``CASE``, ``IS NULL``, ``IN``, ``EXP``, ``FLOOR``, ``LEAST``, ``GREATEST`` and ``CAST(... AS
  INTEGER)``; no ``ROUND``, which rounds halves away from zero in DuckDB and Spark but to even
  in PostgreSQL's DOUBLE: ``FLOOR(s + 0.5)`` rounds alike everywhere. It differs from the
  Python scale's ``rint`` (halves to even) only on a score that is exactly a half;
- feature names as bare identifiers (DuckDB and PostgreSQL quote a name in double quotes, Spark
  in backticks), so a name must be lower case letters, digits and underscores, and not a
  reserved word.

A missing value must be NULL: a NaN is a number to SQL, larger than any other, and would fall in
the last bin.
"""

from __future__ import annotations

import math
import re
import textwrap
from dataclasses import dataclass

from microlend.errors import ConfigError
from microlend.models import FeatureBins, Scorecard
from microlend.scoring._scale import ScoreScale

__all__ = ["ScorecardSQL", "number", "scorecard_sql", "scorecard_sql_text"]

_NAME = re.compile(r"[a-z_][a-z0-9_]*")
#: Words that are reserved in at least one of the three engines and may not name a column bare.
_RESERVED = frozenset(
    """all and any array as asc between both by case cast check collate column constraint create
    cross current_date current_time current_timestamp current_user default desc distinct do
    else end except false fetch for foreign from full grant group having in inner intersect
    interval into is join lateral leading left like limit natural not null offset on only or
    order outer overlaps primary references right select session_user some table then to
    trailing true union unique user using when where window with""".split()  # noqa: SIM905 (a page as a list)
)


@dataclass(frozen=True)
class ScorecardSQL:
    """The SQL of a scorecard: ``margin`` (the log-odds of default), ``pd`` and ``score``."""

    margin: str
    pd: str
    score: str

    def select_list(self) -> str:
        """``pd`` and ``score`` as two named columns, for ``SELECT id, <this> FROM rows``."""
        return f"{self.pd} AS pd,\n{self.score} AS score"


def scorecard_sql(card: Scorecard, scale: ScoreScale | None = None) -> ScorecardSQL:
    """The SQL of ``card``'s PD (``Scorecard.predict_pd``) and of its score on ``scale``
    (``ScoreScale.points`` of that PD)."""
    scale = scale or ScoreScale()
    terms = [f"{number(card.coef_[name])} * {_woe_case(bins)}" for name, bins in card.bins_.items()]
    margin = (
        "(\n  (\n    " + "\n    + ".join(terms) + "\n  )\n  + " + number(card.intercept_) + "\n)"
    )
    pd = f"1.0E0 / (1.0E0 + EXP(-{margin}))"
    unclipped = f"{number(scale.offset)} - {number(scale.factor)} * {margin}"
    clipped = f"LEAST({scale.high}, GREATEST({scale.low}, {unclipped}))"
    return ScorecardSQL(margin, pd, f"CAST(FLOOR({clipped} + 0.5E0) AS INTEGER)")


def scorecard_sql_text(card: Scorecard, scale: ScoreScale | None = None, *, model: str) -> str:
    """What ``microlend export --format sql`` writes: comments saying what it is and how to run
    it, then ``select_list``."""
    scale = scale or ScoreScale()
    features = ", ".join(card.bins_)
    # The name goes into a comment: no line break may end it, no colon look like a parameter.
    model = re.sub(r"[^\w.\-/ ]", "_", model)
    header = [
        f"microlend scorecard of model {model}: the WoE scorecard challenger as SQL.",
        "Two columns over a table whose columns are the features below (a missing value",
        "must be NULL, not NaN; a category is text), for DuckDB, PostgreSQL and Spark SQL:",
        "  SELECT merchant_id, <this text> FROM features",
        "pd: 1 / (1 + EXP(-margin)), margin = intercept + sum of coefficient * WoE of the bin;",
        f"score: offset - factor * margin, offset {scale.offset!r}, factor {scale.factor!r}",
        f"(pdo {scale.pdo!r}; base score {scale.base_score!r} at odds of {scale.base_odds!r}"
        " to 1),",
        f"clipped to [{scale.low}, {scale.high}], rounded half up to whole points.",
        *textwrap.wrap(f"Features ({len(card.bins_)}): {features}", 90),
    ]
    lines = [f"-- {line}" for line in header]
    return "\n".join([*lines, scorecard_sql(card, scale).select_list(), ""])


def number(value: float) -> str:
    """A float as a literal every engine reads back to the same double: E notation."""
    if not math.isfinite(value):
        raise ConfigError(f"the scorecard holds {value}, which SQL cannot write as a number")
    text = repr(float(value)).upper()
    return text if "E" in text else f"{text}E0"


def _woe_case(bins: FeatureBins) -> str:
    """``CASE`` of one feature's WoE: NULL first, then each bin, in ``FeatureBins.transform``'s
    order (numeric bin ``i`` holds ``splits[i-1] <= x < splits[i]``)."""
    column = _identifier(bins.name)
    branches = [f"WHEN {column} IS NULL THEN {number(bins.missing_woe)}"]
    if bins.kind == "numeric":
        edges = bins.splits[: len(bins.woe) - 1]
        branches += [
            f"WHEN {column} < {number(s)} THEN {number(w)}"
            for s, w in zip(edges, bins.woe, strict=False)
        ]
        last = number(bins.woe[len(edges)])
    else:
        for group, woe in zip(bins.groups, bins.woe, strict=True):
            levels = ", ".join(_string(level) for level in group)
            branches.append(f"WHEN {column} IN ({levels}) THEN {number(woe)}")
        last = number(0.0)  # a level never seen in training: no evidence either way
    return "CASE " + " ".join(branches) + f" ELSE {last} END"


def _identifier(name: str) -> str:
    if not _NAME.fullmatch(name) or name in _RESERVED:
        raise ConfigError(
            f"feature {name!r} cannot be a bare SQL column name in every engine: use lower case "
            "letters, digits and underscores, not a reserved word"
        )
    return name


def _string(level: str) -> str:
    # A quote or backslash is escaped differently by Spark ('a' 'b' joins, \ escapes) and by
    # the others ('' is a quote): refuse rather than write what one engine reads otherwise.
    if "'" in level or "\\" in level:
        raise ConfigError(f"category {level!r} holds a quote or backslash, not portable in SQL")
    return f"'{level}'"
