"""A model's metadata: one typed record, read from every ``model.json`` written so far."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from microlend.errors import ArtifactError
from microlend.models import ModelMetadata, TableFacts, Window

#: What ``microlend train --data`` wrote for the demo's model (before this type existed).
RECORDS: dict[str, Any] = {
    "data_end": "2025-01-01T00:00:00+00:00",
    "data_sha256": "8337497e68b160624452d0257af0c690e14e97de0f4f167e5466d4951868b3dc",
    "kind": "merchant_records",
    "n_test": 3465,
    "n_train": 8083,
    "performance_window_days": 365,
    "test_metrics": {"auc": 0.8058614514921846, "n": 3465, "scorecard_auc": 0.8029915217652304},
    "test_window": {"from": "2023-10-10T15:45:42+00:00", "to": "2024-01-01T21:49:33+00:00"},
    "training_window": {"from": "2023-04-01T08:16:13+00:00", "to": "2023-10-10T15:28:52+00:00"},
    "trained_at": "2025-02-03T10:11:12+00:00",
}

#: What ``microlend train --table`` wrote: the window as a list of pandas' text.
TABLE: dict[str, Any] = {
    "source": "loans.csv",
    "target": "bad",
    "rows": 5000,
    "bad_rate": 0.08,
    "time_column": "opened",
    "holdout_auc": 0.71,
    "findings": ["id: looks like an identifier"],
    "training_window": ["2018-01-01 00:00:00", "2019-12-31 00:00:00"],
    "data_sha256": "cd" * 32,
    "positive": None,
    "trained_at": "2025-02-03T10:11:12+00:00",
}


def test_a_records_model_reads_typed_and_writes_the_same_json() -> None:
    metadata = ModelMetadata.from_dict(RECORDS)
    assert metadata.kind == "merchant_records"
    assert metadata.test_window == Window(
        datetime(2023, 10, 10, 15, 45, 42, tzinfo=UTC), datetime(2024, 1, 1, 21, 49, 33, tzinfo=UTC)
    )
    assert metadata.training_window is not None
    # The test window starts on the day training ends: windows are times, not dates.
    assert metadata.training_window.end.date() == metadata.test_window.start.date()
    counts = (metadata.n_train, metadata.n_test, metadata.performance_window_days)
    assert counts == (8083, 3465, 365)
    assert metadata.data_end == datetime(2025, 1, 1, tzinfo=UTC)
    assert metadata.test_metrics["scorecard_auc"] == pytest.approx(0.803, abs=1e-3)
    assert metadata.table is None
    assert metadata.to_dict() == RECORDS


def test_a_table_model_reads_its_facts_and_its_old_window() -> None:
    metadata = ModelMetadata.from_dict(TABLE)
    assert metadata.table == TableFacts(
        "loans.csv", "bad", 5000, 0.08, "opened", 0.71, ("id: looks like an identifier",)
    )
    assert metadata.training_window == Window(datetime(2018, 1, 1), datetime(2019, 12, 31))
    assert metadata.kind is None
    written = metadata.to_dict()
    # The window is written in the one form every reader reads.
    assert written == TABLE | {
        "training_window": {"from": "2018-01-01T00:00:00", "to": "2019-12-31T00:00:00"}
    }
    assert ModelMetadata.from_dict(written) == metadata


def test_trained_records_the_time_and_the_bad_outcome() -> None:
    at = datetime(2025, 2, 3, 10, 11, 12, tzinfo=UTC)
    table = ModelMetadata.from_dict(TABLE | {"trained_at": None}).trained(at, positive="yes")
    assert table.trained_at == at
    assert table.table is not None
    assert table.table.positive == "yes"
    assert ModelMetadata().trained(at) == ModelMetadata(trained_at=at)


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("test_window", {"from": "2024-01-01"}),
        ("test_window", "2024"),
        ("n_test", "many"),
        ("data_end", "yesterday"),
    ],
)
def test_unreadable_facts_are_named(key: str, value: object) -> None:
    with pytest.raises(ArtifactError, match=key):
        ModelMetadata.from_dict(RECORDS | {key: value})


def test_unknown_keys_are_ignored() -> None:
    assert ModelMetadata.from_dict({"run": 2}) == ModelMetadata()
