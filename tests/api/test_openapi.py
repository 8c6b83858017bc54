"""The committed OpenAPI document is the one the app generates, and it documents every field and error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from retrace.api.app import openapi_json

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_committed_openapi_matches_the_app() -> None:
    assert COMMITTED.exists(), "docs/openapi.json is missing: run `trace export-openapi`"
    assert COMMITTED.read_text(encoding="utf-8") == openapi_json(), (
        "docs/openapi.json is out of date: run `trace export-openapi` and commit the result"
    )


def _properties(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (name, prop_name, prop)
        for name, model in schema["components"]["schemas"].items()
        for prop_name, prop in model.get("properties", {}).items()
    ]


def test_every_field_is_described() -> None:
    document = json.loads(openapi_json())
    undocumented = [
        f"{model}.{prop}" for model, prop, schema in _properties(document) if "description" not in schema
    ]
    assert undocumented == []


def test_every_operation_documents_its_errors_with_the_error_body() -> None:
    document = json.loads(openapi_json())
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            errors = {code: r for code, r in operation["responses"].items() if code.startswith(("4", "5"))}
            assert errors, f"{method.upper()} {path} documents no error"
            for code, response in errors.items():
                ref = response["content"]["application/json"]["schema"]["$ref"]
                assert ref == "#/components/schemas/ErrorResponse", (path, code)
            for parameter in operation.get("parameters", []):
                assert parameter.get("description"), (path, parameter["name"])
