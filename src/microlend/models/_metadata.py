"""What a saved model records about its training: one type, one parser.

A model trained on merchant records (``kind == "merchant_records"``) records its training and
out-of-time test windows, the data's end and fingerprint, the counts and the test metrics; one
trained on a lender's table records the table's facts (``TableFacts``). ``from_dict`` reads every
``model.json`` written so far (a table's training window was once a ``[from, to]`` list) and
``to_dict`` writes the JSON object ``model.json`` holds, keys absent where a fact is unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, TypeVar

from microlend.errors import ArtifactError

__all__ = ["ModelMetadata", "TableFacts", "Window"]

T = TypeVar("T")


@dataclass(frozen=True)
class Window:
    """The applications' times a model was trained or tested on, both ends included. Times,
    not dates: the test window starts on the day the training window ends."""

    start: datetime
    end: datetime

    def to_dict(self) -> dict[str, str]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat()}

    @classmethod
    def from_value(cls, value: object) -> Window:
        """A window as ``{"from": ..., "to": ...}``, or as the ``[from, to]`` list tables once
        wrote; ends in ISO 8601."""
        if isinstance(value, Mapping) and {"from", "to"} <= value.keys():
            return cls(_time(value["from"]), _time(value["to"]))
        if isinstance(value, list) and len(value) == 2:
            return cls(_time(value[0]), _time(value[1]))
        raise ValueError(f"expected {{'from': ..., 'to': ...}}, got {value!r}")


@dataclass(frozen=True)
class TableFacts:
    """A model trained on a lender's own table: where from, what it learnt and what it found."""

    source: str
    target: str
    rows: int
    bad_rate: float
    time_column: str | None
    holdout_auc: float | None
    findings: tuple[str, ...] = ()
    #: The target's value naming the bad outcome (``--positive``), if one was given.
    positive: str | None = None


@dataclass(frozen=True)
class ModelMetadata:
    """The record of a model's training that ``save_model`` writes beside it."""

    kind: str | None = None
    training_window: Window | None = None
    test_window: Window | None = None
    data_end: datetime | None = None
    data_sha256: str | None = None
    performance_window_days: int | None = None
    n_train: int | None = None
    n_test: int | None = None
    test_metrics: Mapping[str, float] = field(default_factory=dict)
    table: TableFacts | None = None
    trained_at: datetime | None = None
    #: The feature catalog's version a records model was trained on (absent before version 2).
    feature_catalog: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of ``model.json``'s ``metadata``: unknown facts are left out."""
        windows = {"training_window": self.training_window, "test_window": self.test_window}
        times = {"data_end": self.data_end, "trained_at": self.trained_at}
        body: dict[str, Any] = {
            "kind": self.kind,
            **{k: None if w is None else w.to_dict() for k, w in windows.items()},
            **{k: None if t is None else t.isoformat() for k, t in times.items()},
            "performance_window_days": self.performance_window_days,
            "data_sha256": self.data_sha256,
            "n_train": self.n_train,
            "n_test": self.n_test,
            "test_metrics": dict(self.test_metrics) or None,
            "feature_catalog": self.feature_catalog,
        }
        known = {k: v for k, v in body.items() if v is not None}
        if self.table is None:
            return known
        # A table's facts sit at the top level, as they always have, unknown ones as null.
        return known | vars(self.table) | {"findings": list(self.table.findings)}

    def trained(self, at: datetime, *, positive: str | None = None) -> ModelMetadata:
        """This record, trained ``at``; a table's names its bad outcome ``positive``."""
        table = None if self.table is None else replace(self.table, positive=positive)
        return replace(self, trained_at=at, table=table)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelMetadata:
        """Read ``model.json``'s ``metadata``; ``ArtifactError`` names a fact it cannot read.
        Keys it does not know are ignored."""
        return cls(
            kind=_get(data, "kind", str),
            training_window=_get(data, "training_window", Window.from_value),
            test_window=_get(data, "test_window", Window.from_value),
            data_end=_get(data, "data_end", _time),
            data_sha256=_get(data, "data_sha256", str),
            performance_window_days=_get(data, "performance_window_days", _whole),
            n_train=_get(data, "n_train", _whole),
            n_test=_get(data, "n_test", _whole),
            test_metrics=_get(data, "test_metrics", _metrics) or {},
            table=_table(data) if "source" in data else None,
            trained_at=_get(data, "trained_at", _time),
            feature_catalog=_get(data, "feature_catalog", _whole),
        )


def _table(data: Mapping[str, Any]) -> TableFacts:
    return TableFacts(
        source=_need(data, "source", str),
        target=_need(data, "target", str),
        rows=_need(data, "rows", _whole),
        bad_rate=_need(data, "bad_rate", float),
        time_column=_get(data, "time_column", str),
        holdout_auc=_get(data, "holdout_auc", float),
        findings=_get(data, "findings", _texts) or (),
        positive=_get(data, "positive", str),
    )


def _get(data: Mapping[str, Any], key: str, read: Callable[[Any], T]) -> T | None:
    value = data.get(key)
    if value is None:
        return None
    try:
        return read(value)
    except (TypeError, ValueError) as exc:
        raise ArtifactError(f"model metadata {key!r}: cannot read {value!r} ({exc})") from exc


def _need(data: Mapping[str, Any], key: str, read: Callable[[Any], T]) -> T:
    value = _get(data, key, read)
    if value is None:
        raise ArtifactError(f"model metadata: a table's model records no {key!r}")
    return value


def _time(value: object) -> datetime:
    if not isinstance(value, str):
        raise TypeError("expected an ISO 8601 time")
    return datetime.fromisoformat(value)


def _whole(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError("expected a whole number")
    return value


def _metrics(value: object) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise TypeError("expected an object of numbers")
    return {str(k): v for k, v in value.items() if isinstance(v, int | float)}


def _texts(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise TypeError("expected a list of text")
    return tuple(str(v) for v in value)
