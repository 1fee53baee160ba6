"""Fixtures of the data tests: a data folder written from the tables of ``data_factory``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pytest
from data_factory import END, Writer, contract_tables

from microlend.data import Manifest, write_dataset


@pytest.fixture
def make_folder(tmp_path: Path) -> Writer:
    """Write tables (default: the valid ones) as a data folder with a manifest; return it."""
    count = iter(range(1000))

    def make(
        tables: Mapping[str, pa.Table] | None = None, fmt: str = "csv", manifest: bool = True
    ) -> Path:
        root = tmp_path / f"data{next(count)}"
        write_dataset(
            contract_tables() if tables is None else tables,
            root,
            fmt=fmt,  # type: ignore[arg-type]
            manifest=Manifest(END, "USD", {"tool": "tests"}) if manifest else None,
        )
        return root

    return make
