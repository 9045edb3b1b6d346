"""Schemathesis over /openapi.json, in process: no generated request may produce a server error."""

from __future__ import annotations

from typing import TYPE_CHECKING

import schemathesis
from hypothesis import HealthCheck, given, settings

if TYPE_CHECKING:
    from fastapi import FastAPI

MAX_EXAMPLES = 12
"""Examples per operation: enough to hit every validator, small enough to finish in seconds."""
FEW_EXAMPLES = 3
"""For operations that run a whole evaluation per new input (each year is a full run, ~1 s);
their year validation is covered case by case in test_evaluation_routes.py."""
EXPENSIVE = ("/api/evaluation", "/api/sectors/fares/commute")
CALL_TIMEOUT_S = 120
"""Per-request read timeout. schemathesis' default (10 s) is a wall-clock limit that a whole
evaluation or the fares table of every unit can pass on a loaded two-core CI machine; a server
error is what this test looks for, not latency (the benchmarks measure that)."""


def test_no_server_errors(api_app: FastAPI) -> None:
    """Every operation of the OpenAPI document, fed generated (valid and invalid) input."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", api_app)
    server_errors: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 8

    for op in operations:

        @given(case=op.as_strategy())
        @settings(
            max_examples=FEW_EXAMPLES if op.path.startswith(EXPENSIVE) else MAX_EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: schemathesis.Case) -> None:
            response = case.call(timeout=CALL_TIMEOUT_S)
            if response.status_code >= 500:
                server_errors.append(
                    f"{case.method} {case.formatted_path} {case.query or ''} → "
                    f"{response.status_code}: {response.text[:200]}"
                )

        run()
    assert not server_errors, "\n".join(server_errors[:20])
