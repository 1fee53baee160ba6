"""The data contract's tables and column types, checked on what Spark reads: schemas, no rows.

The DuckDB loader reads every value and converts it (text is parsed, integer ids become text);
Spark hands the Parquet columns to the feature plan as they are, so each must already have a
type of its contract kind. The schema comes from the Parquet footers, so nothing is collected
to the driver. Value rules (ranges, keys, allowed words) stay with ``microlend check``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from pyspark.errors import PySparkException
from pyspark.sql import types as st

from microlend.data import CONTRACT, Kind, TableSchema
from microlend.errors import DataContractError, Violation
from microlend.features._spark_storage import java_reason as _reason

__all__ = ["missing_tables", "read_contract_tables", "schema_violations"]

try:
    from py4j.protocol import Py4JJavaError  # type: ignore[import-untyped]

    # A failed footer read is a failed Spark job, which PySpark passes on unconverted.
    _READ_ERRORS: tuple[type[Exception], ...] = (PySparkException, Py4JJavaError)
except ImportError:  # pyspark-client (Spark Connect only) has no py4j
    _READ_ERRORS = (PySparkException,)

_INTEGERS = (st.ByteType, st.ShortType, st.IntegerType, st.LongType)
_ACCEPTED: dict[Kind, tuple[type[st.DataType], ...]] = {
    Kind.ID: (st.StringType,),
    Kind.TEXT: (st.StringType,),
    Kind.CURRENCY: (st.StringType,),
    # A naive timestamp is UTC by the contract, and the session's time zone is UTC.
    Kind.TIMESTAMP: (st.TimestampType, st.TimestampNTZType),
    Kind.MONEY: (st.DecimalType, *_INTEGERS),
    Kind.INT: _INTEGERS,
    Kind.FLOAT: (st.DoubleType, st.FloatType, st.DecimalType, *_INTEGERS),
    Kind.BOOL: (st.BooleanType,),
}
_WORDS = {
    Kind.ID: "text ids",
    Kind.TEXT: "text",
    Kind.CURRENCY: "ISO 4217 codes as text",
    Kind.TIMESTAMP: "timestamps",
    Kind.MONEY: "decimal or integer amounts",
    Kind.INT: "integers",
    Kind.FLOAT: "numbers",
    Kind.BOOL: "booleans",
}


def read_contract_tables(
    session: Any, files: Mapping[str, str], *, absent_ok: bool = False
) -> dict[str, Any]:
    """Spark DataFrames of the contract tables at ``files`` (locations Spark reads), their
    schemas checked.

    Raises one ``DataContractError`` for everything found: a required table without a file
    (as the DuckDB loader does), a file Spark cannot read as Parquet, and every missing column
    or column whose type cannot hold its contract kind, each named by file and column.
    ``absent_ok``: a location with nothing there is a table not given (where no listing said
    which are), not an unreadable file.
    """
    frames: dict[str, Any] = {}
    present: set[str] = set()
    found: list[Violation] = []
    for name, location in files.items():
        file = f"{name}.parquet"
        try:
            frame = _read(session, location)
        except _READ_ERRORS as exc:
            if not (absent_ok and _condition(exc) == "PATH_NOT_FOUND"):
                present.add(name)
                found.append(
                    Violation(file, None, None, f"cannot be read as Parquet: {_reason(exc)}")
                )
            continue
        present.add(name)
        found += schema_violations(CONTRACT[name], file, frame.schema)
        frames[name] = frame
    violations = missing_tables(present) + found
    if violations:
        raise DataContractError(violations)
    return frames


def _read(session: Any, location: str) -> Any:
    """Spark's reader of ``location``, its schema read from the footers (no rows are read)."""
    frame = session.read.parquet(location)
    frame.schema  # noqa: B018 -- Spark Connect reads lazily: make it read the footer here
    return frame


def _condition(error: Exception) -> str | None:
    """Spark's error class (``PATH_NOT_FOUND``...), where the error has one."""
    named = getattr(error, "getCondition", None) or getattr(error, "getErrorClass", None)
    return named() if named is not None else None


def missing_tables(present: Collection[str]) -> list[Violation]:
    """A violation for each required contract table not in ``present``."""
    return [
        Violation(
            f"{name}.parquet",
            None,
            None,
            f"required table {name!r} is missing: expected {name}.parquet "
            "(a file or a folder of part files)",
        )
        for name, schema in CONTRACT.items()
        if schema.required and name not in present
    ]


def schema_violations(schema: TableSchema, file: str, read: st.StructType) -> list[Violation]:
    """What in the Spark schema ``read`` of ``file`` breaks the contract table ``schema``."""
    names = [field.name for field in read.fields]
    found: list[Violation] = []
    for name in sorted({n for n in names if names.count(n) > 1}):
        found.append(Violation(file, None, name, "the column appears more than once"))
    types = {field.name: field.dataType for field in read.fields}
    for column in schema.columns:
        if column.name not in types:
            found.append(Violation(file, None, column.name, "required column is missing"))
        elif not isinstance(types[column.name], _ACCEPTED[column.kind]):
            message = _wrong_type(column.kind, column.name, types[column.name])
            found.append(Violation(file, None, column.name, message))
    return found


def _wrong_type(kind: Kind, name: str, got: st.DataType) -> str:
    shown = got.simpleString()
    if kind is Kind.MONEY and isinstance(got, st.DoubleType | st.FloatType):
        return (
            f"money must not be a float ({shown}): binary floats cannot hold most cents "
            f"exactly; store {name!r} as a decimal or an integer"
        )
    # The DuckDB loader converts text and integer ids value by value; Spark reads columns as
    # they are typed, so such a file must be rewritten for it.
    hint = ""
    if isinstance(got, st.StringType):
        hint = "; the spark engine does not parse text: write the column typed"
    elif isinstance(got, _INTEGERS):
        hint = "; the spark engine does not convert numbers to text: write the column as text"
    return f"expected {_WORDS[kind]}, got values of type {shown}{hint}"
