"""Process settings read from the environment, once, at the edge (cli, api, tests).

Library code receives what it needs as arguments; it does not read the environment itself.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Settings"]

_PREFIX = "MICROLEND_"


@dataclass(frozen=True)
class Settings:
    """Settings of one process.

    ``db_url``: the loan book's SQLAlchemy URL (a SQLite file unless told otherwise).
    ``test_pg_url``: the PostgreSQL server the test suite must use.
    ``spark_master``: where Spark jobs run (``local[*]`` by default).
    """

    db_url: str = "sqlite:///microlend.db"
    test_pg_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    spark_master: str = "local[*]"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        defaults = cls()
        return cls(
            db_url=env.get(f"{_PREFIX}DB_URL", defaults.db_url),
            test_pg_url=env.get(f"{_PREFIX}TEST_PG_URL", defaults.test_pg_url),
            spark_master=env.get(f"{_PREFIX}SPARK_MASTER", defaults.spark_master),
        )
