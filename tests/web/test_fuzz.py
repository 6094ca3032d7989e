"""Fuzz every JSON endpoint of the OpenAPI description with schemathesis: no input may cause a server error."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from tests.conftest import ensure_test_warehouse

from sousei.web.app import create_app

# schemathesis parametrizes at collection time, so the warehouse is made (or found) here, as the fixtures would.
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(ensure_test_warehouse()))


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_fails(case) -> None:  # noqa: ANN001
    response = case.call()
    assert response.status_code < 500, f"{case.method} {case.formatted_path}: {response.status_code}"
    case.validate_response(response, checks=(schemathesis.checks.not_a_server_error,))
