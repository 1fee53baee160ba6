"""Where Spark finds the records: a local path or any URI Hadoop reads (``s3a://``,
``hdfs://``, ``abfss://``, ``file://``), looked at through Hadoop's FileSystem API.

On a cluster the records lie where the executors read them, which the driver need not mount:
so the folder and its tables are asked of the FileSystem that the session's Hadoop
configuration (its credentials and endpoints included) gives the URI, never the driver's disk.
"""

from __future__ import annotations

import os
from typing import Any

from microlend.errors import ConfigError, NotFoundError

__all__ = ["child", "folder_entries", "java_reason", "spark_location"]


def spark_location(data: str | os.PathLike[str]) -> str:
    """``data`` as Spark reads it: a URI as given, a local path as text (Hadoop resolves it
    on the local file system). Never a ``Path`` of a URI: it would fold ``//`` into ``/``."""
    return os.fspath(data)


def child(root: str, name: str) -> str:
    """The location of ``name`` inside the folder at ``root``."""
    return f"{root.rstrip('/')}/{name}"


def folder_entries(session: Any, root: str) -> list[str] | None:
    """The names in the folder at ``root``, listed by Hadoop; ``None`` where the session has no
    JVM of its own to ask (Spark Connect: there the reads say which tables are missing).

    Raises ``NotFoundError`` where nothing is at ``root`` or it is a file, and ``ConfigError``
    where Hadoop cannot reach it (no FileSystem for its scheme, a refused credential...).
    """
    try:
        jvm, jsc = session._jvm, session._jsc
    except AttributeError:  # a Spark Connect session refuses them with a subclass of it
        return None
    from py4j.protocol import Py4JError  # type: ignore[import-untyped]  # classic pyspark's

    try:
        path = jvm.org.apache.hadoop.fs.Path(root)
        files = path.getFileSystem(jsc.hadoopConfiguration())
        if not files.exists(path):
            raise NotFoundError(f"no data folder at {root}")
        if not files.getFileStatus(path).isDirectory():
            raise NotFoundError(f"{root} is a file, not a data folder")
        return [str(status.getPath().getName()) for status in files.listStatus(path)]
    except Py4JError as exc:
        raise ConfigError(f"{root}: Spark cannot read it: {java_reason(exc)}") from None


def java_reason(error: Exception) -> str:
    """The first line of the innermost Java cause (the useful one), else of the error itself."""
    cause = getattr(error, "java_exception", None)
    while cause is not None and cause.getCause() is not None:
        cause = cause.getCause()
    text = str(cause.getMessage() or cause.toString()) if cause is not None else str(error)
    return (text.strip().splitlines() or [type(error).__name__])[0]
