"""The optional ``dataset.json`` beside the tables: the data's end, currency and provenance."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from microlend.dates import iso_utc, to_utc
from microlend.errors import DataContractError, Violation
from microlend.money import is_currency

__all__ = ["MANIFEST_FILE", "Manifest", "read_manifest"]

MANIFEST_FILE = "dataset.json"


@dataclass(frozen=True)
class Manifest:
    """What a data folder says about itself.

    ``end``: the data's end (UTC); no record may be later. ``currency``: the folder's single
    currency, if it has one. ``generator``: free-form provenance (tool, version, seed, ...).
    """

    end: datetime
    currency: str | None = None
    generator: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "end", to_utc(self.end))
        object.__setattr__(self, "generator", dict(sorted(self.generator.items())))

    def to_json(self) -> str:
        """Deterministic JSON text: sorted keys, ``Z`` timestamps, a final newline."""
        document = {
            "end": iso_utc(self.end),
            "currency": self.currency,
            "generator": dict(self.generator),
        }
        return json.dumps(document, indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse ``dataset.json``; a malformed document raises ``DataContractError``."""
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise _invalid(None, f"not valid JSON: {exc}") from None
        if not isinstance(document, dict):
            raise _invalid(None, "expected a JSON object")
        return cls(
            end=_end(document.get("end")),
            currency=_currency(document.get("currency")),
            generator=_generator(document.get("generator", {})),
        )


def read_manifest(root: Path) -> Manifest | None:
    """The manifest of the data folder ``root``, or ``None`` where it has none."""
    path = root / MANIFEST_FILE
    if not path.is_file():
        return None
    return Manifest.from_json(path.read_text(encoding="utf-8"))


def _invalid(key: str | None, message: str) -> DataContractError:
    return DataContractError([Violation(MANIFEST_FILE, None, key, message)])


def _end(value: object) -> datetime:
    if not isinstance(value, str):
        raise _invalid("end", "expected an ISO 8601 timestamp")
    try:
        return to_utc(datetime.fromisoformat(value))
    except ValueError:
        raise _invalid("end", f"expected an ISO 8601 timestamp, got {value!r}") from None


def _currency(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not is_currency(value):
        raise _invalid("currency", f"expected an ISO 4217 code, got {value!r}")
    return value


def _generator(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise _invalid("generator", "expected a JSON object")
    return {str(k): str(v) for k, v in value.items()}
