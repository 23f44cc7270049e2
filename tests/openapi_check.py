"""Answers checked against bot/portal/openapi.json with a real JSON Schema 2020-12 validator."""

from __future__ import annotations

import json
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from werkzeug.test import TestResponse

from bot.portal.api import OPENAPI_PATH

DOC: dict[str, Any] = json.loads(OPENAPI_PATH.read_text(encoding="utf-8"))
BASE = "urn:bot-openapi"
REGISTRY: Registry[Any] = Registry().with_resource(
    BASE, Resource(contents=DOC, specification=DRAFT202012)
)


def pointer(*parts: str) -> str:
    """A JSON pointer into the document."""
    return "/".join(part.replace("~", "~0").replace("/", "~1") for part in parts)


def response_pointer(path: str, method: str, status: int) -> str:
    """Where the schema of one documented answer is (following a components/responses $ref)."""
    answer = DOC["paths"][path][method]["responses"][str(status)]
    if "$ref" in answer:
        name = answer["$ref"].rsplit("/", 1)[-1]
        return pointer("components", "responses", name, "content", "application/json", "schema")
    return pointer(
        "paths", path, method, "responses", str(status), "content", "application/json", "schema"
    )


def conforms(template: str, method: str, response: TestResponse) -> Any:
    """Assert the answer is documented for its status and matches its schema; its JSON."""
    body = response.get_json()
    schema = {"$ref": f"{BASE}#/{response_pointer(template, method, response.status_code)}"}
    validator = Draft202012Validator(schema, registry=REGISTRY, format_checker=FormatChecker())
    problems = [e.message for e in validator.iter_errors(body)]
    assert not problems, f"{method} {template} {response.status_code}: {problems} in {body}"
    return body
