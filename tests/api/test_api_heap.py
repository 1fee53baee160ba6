"""A started server puts its long-lived heap (records, model, snapshot) out of the collector's
reach, so no full collection over it stalls the requests."""

from __future__ import annotations

import dataclasses
import gc

from api_support import Served
from fastapi.testclient import TestClient

from microlend.api import ApiSettings, create_app


def test_starting_the_app_freezes_the_heap_it_holds(served: Served) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0  # the tests' own apps leave the heap alone
    context = dataclasses.replace(served.context, settings=ApiSettings())
    try:
        with TestClient(create_app(context)) as client:
            frozen = gc.get_freeze_count()
            assert client.get("/health").status_code == 200
        assert frozen > 0
    finally:
        gc.unfreeze()
