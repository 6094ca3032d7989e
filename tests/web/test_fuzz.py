"""Fuzz every JSON endpoint of the OpenAPI description with schemathesis: no input may cause a server error."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from sousei import config
from sousei.web.app import create_app


def _app():  # noqa: ANN202 - schemathesis needs the ASGI app at import time
    import os

    return create_app(Path(os.environ.get("SOUSEI_TEST_DB") or config.db_path()))


try:
    schema = schemathesis.openapi.from_asgi("/openapi.json", _app())
except Exception as exc:  # noqa: BLE001 - no warehouse: fail loudly in the test, not at collection
    schema = None
    _error = exc


if schema is None:

    def test_fuzz_needs_a_warehouse() -> None:
        pytest.fail(f"no warehouse for the fuzz run: {_error}")

else:

    @schema.parametrize()
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    def test_api_never_fails(case) -> None:  # noqa: ANN001
        response = case.call()
        assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
        case.validate_response(response, checks=(schemathesis.checks.not_a_server_error,))
