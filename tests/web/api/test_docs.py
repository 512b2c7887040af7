"""docs/api.md names every operation of the OpenAPI schema (a new endpoint must be documented)."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parents[3] / "docs" / "api.md"


def test_every_operation_is_documented(client, db):
    text = DOC.read_text()
    schema = client.get("/api/v1/openapi.json").json()

    missing = [
        f"{method.upper()} {path}"
        for path, methods in schema["paths"].items()
        for method in methods
        if f"`{method.upper()} {path}" not in text
    ]

    assert missing == []
