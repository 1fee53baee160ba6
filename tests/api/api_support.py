"""The served api the tests talk to."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi.testclient import TestClient

from microlend.api import ApiContext


@dataclass
class Served:
    client: TestClient
    context: ApiContext
    keys: dict[str, str]
    db_url: str

    def headers(self, who: str, idempotency_key: str | None = None) -> dict[str, str]:
        found = {"X-API-Key": self.keys[who]}
        if idempotency_key is not None:
            found["Idempotency-Key"] = idempotency_key
        return found
