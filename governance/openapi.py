"""OpenAPI document that passes the Dutch API Design Rules linter (contract section 0).

FastAPI's defaults break several rules (validation errors as application/json, no version header,
no 400 on write operations); this module declares our problem responses and finishes the document.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from governance import API_VERSION
from governance.errors import TITLES

PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "Foutmelding volgens RFC 9457 (problem details)",
    "required": ["type", "title", "status", "detail", "code"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string", "description": "Korte Nederlandse titel"},
        "status": {"type": "integer", "format": "int32"},
        "detail": {"type": "string", "description": "Uitleg in het Nederlands"},
        "code": {"type": "string", "description": "Vaste, machineleesbare code"},
    },
}
VERSION_HEADER = {
    "description": "De volledige versie van de API",
    "schema": {"type": "string", "example": API_VERSION},
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "description": TITLES.get(status, "Fout"),
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }


def build_openapi(app: FastAPI, *, contact: dict[str, str], server_url: str) -> dict[str, Any]:
    schema = get_openapi(
        title="gemeente-assistent API",
        version=API_VERSION,
        description=(
            "API van de digitale assistent van de gemeente. Burgers praten met de assistent; "
            "elk antwoord heeft een uitleg. Fouten volgen RFC 9457."
        ),
        routes=app.routes,
        contact=contact,
        servers=[{"url": server_url, "description": "Deze omgeving"}],
    )
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = PROBLEM_SCHEMA
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for code, response in list(responses.items()):
                if code == "422" or code.startswith(("4", "5")):
                    responses[code] = problem_responses(int(code))[int(code)]
                elif code.startswith(("2", "3")):
                    response.setdefault("headers", {})["API-Version"] = VERSION_HEADER
            if method in ("post", "put", "patch") or operation.get("parameters"):
                responses.setdefault("400", problem_responses(400)[400])
    return schema
