"""Schemathesis against the OpenAPI schema, in process: no server error, no schema violation."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from api_support import Served
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

ROLES = ["risk", "servicing", "merchant_a"]


@pytest.mark.parametrize("served", ["sqlite", "postgresql"], indirect=True)
def test_schemathesis_finds_no_server_error_nor_schema_violation(served: Served) -> None:
    """Every operation, each case with the key of a role drawn from all three, on both
    databases: PostgreSQL refuses what SQLite takes (a NUL byte in text), so it is fuzzed too."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", served.client.app)
    checks = [
        schemathesis.checks.not_a_server_error,
        schemathesis.checks.response_schema_conformance,
        schemathesis.checks.content_type_conformance,
    ]
    failures: list[str] = []
    for operation in schema.get_all_operations():
        _exercise(operation.ok(), served, checks, failures)
    assert failures == []


def _exercise(op: Any, served: Served, checks: list[Any], failures: list[str]) -> None:
    @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(), who=st.sampled_from(ROLES))
    def run(case: schemathesis.Case, who: str) -> None:
        case.headers = {**(case.headers or {}), **served.headers(who, "sk")}
        response = case.call()
        for check in checks:
            try:
                case.validate_response(response, checks=[check])
            except AssertionError as error:
                failures.append(f"{op.label}: {error}")

    run()
