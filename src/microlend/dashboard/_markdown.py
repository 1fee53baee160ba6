"""Markdown pieces of the documents written beside a model: tables, shares, times, lists."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

__all__ = ["bullets", "pct", "sha", "table", "utc"]


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def pct(share: float) -> str:
    return f"{share:.2%}"


def utc(moment: datetime) -> str:
    shown = moment.astimezone(UTC) if moment.tzinfo else moment
    return f"{shown:%Y-%m-%d %H:%M} UTC"


def sha(digest: str | None) -> str:
    return "not recorded" if digest is None else f"`{digest[:16]}`"


def bullets(lines: Iterable[str]) -> str:
    return "\n".join(f"- {line}" for line in lines)
