"""The data contract's tables and column types, checked on what Spark reads: schemas, no rows.

The DuckDB loader reads every value and converts it (text is parsed, integer ids become text);
Spark hands the Parquet columns to the feature plan as they are, so each must already have a
type of its contract kind. The schema comes from the Parquet footers, so nothing is collected
to the driver. Value rules (ranges, keys, allowed words) stay with ``microlend check``.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from pyspark.errors import PySparkException
from pyspark.sql import types as st

from microlend.data import CONTRACT, Kind, TableSchema
from microlend.errors import DataContractError, Violation

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


def read_contract_tables(session: Any, files: Mapping[str, Path]) -> dict[str, Any]:
    """Spark DataFrames of the contract tables at ``files``, their schemas checked.

    Raises one ``DataContractError`` for everything found: a required table without a file
    (as the DuckDB loader does), a file Spark cannot read as Parquet, and every missing column
    or column whose type cannot hold its contract kind, each named by file and column.
    """
    violations = missing_tables(files.keys())
    frames = {}
    for name, path in files.items():
        frame = _read(session, path, violations)
        if frame is not None:
            violations += schema_violations(CONTRACT[name], path.name, frame.schema)
            frames[name] = frame
    if violations:
        raise DataContractError(violations)
    return frames


def _read(session: Any, path: Path, violations: list[Violation]) -> Any:
    """Spark's reader of ``path`` (its schema from the footer: no rows are read), or ``None``."""
    try:
        frame = session.read.parquet(str(path))
        frame.schema  # noqa: B018 -- Spark Connect reads lazily: make it read the footer here
    except _READ_ERRORS as exc:
        violations.append(
            Violation(path.name, None, None, f"cannot be read as Parquet: {_reason(exc)}")
        )
        return None
    return frame


def _reason(error: Exception) -> str:
    """The first line of the innermost Java cause (the useful one), else of the error itself."""
    cause = getattr(error, "java_exception", None)
    while cause is not None and cause.getCause() is not None:
        cause = cause.getCause()
    text = str(cause.getMessage()) if cause is not None else str(error)
    return (text.strip().splitlines() or [type(error).__name__])[0]


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
