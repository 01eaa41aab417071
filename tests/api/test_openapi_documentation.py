"""Every operation of the versioned REST API is documented: a summary, a description, and an
example of its successful answer (and of its request body when it has one)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(client) -> dict[str, Any]:
    response = client.get(reverse("api-1:openapi-json"))
    assert response.status_code == 200
    return response.json()


def _operations(schema: dict[str, Any]):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            if method in METHODS:
                yield f"{method.upper()} {path}", operation


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if not ref:
        return node
    assert ref.startswith("#/components/schemas/"), ref
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]


def _has_example(schema: dict[str, Any], node: dict[str, Any], seen: frozenset[str] = frozenset()) -> bool:
    """An example on the schema, on one of its properties, or on what it refers to or lists."""
    ref = node.get("$ref")
    if ref:
        if ref in seen:
            return False
        return _has_example(schema, _resolve(schema, node), seen | {ref})
    if node.get("example") is not None or node.get("examples"):
        return True
    children: list[dict[str, Any]] = []
    children.extend(node.get("properties", {}).values())
    if isinstance(node.get("items"), dict):
        children.append(node["items"])
    for key in ("anyOf", "oneOf", "allOf"):
        children.extend(node.get(key, []))
    return any(_has_example(schema, child, seen) for child in children)


def _content_has_example(schema: dict[str, Any], content: dict[str, Any]) -> bool:
    media = content.get("application/json", {})
    if media.get("example") is not None or media.get("examples"):
        return True
    return "schema" in media and _has_example(schema, media["schema"])


def test_the_schema_lists_the_operations(schema):
    assert len(list(_operations(schema))) >= 20


def test_every_operation_has_a_summary_and_a_description(schema):
    missing = [
        name
        for name, operation in _operations(schema)
        if not operation.get("summary", "").strip() or len(operation.get("description", "").strip()) < 20
    ]
    assert not missing, f"Operations without a summary or a description: {missing}"


def test_every_successful_answer_has_an_example(schema):
    missing = []
    for name, operation in _operations(schema):
        successes = {code: answer for code, answer in operation["responses"].items() if str(code).startswith("2")}
        assert successes, f"{name} documents no successful answer"
        for code, answer in successes.items():
            if not _content_has_example(schema, answer.get("content", {})):
                missing.append(f"{name} → {code}")
    assert not missing, f"Successful answers without an example: {missing}"


def test_every_request_body_has_an_example(schema):
    missing = [
        name
        for name, operation in _operations(schema)
        if "requestBody" in operation and not _content_has_example(schema, operation["requestBody"].get("content", {}))
    ]
    assert not missing, f"Request bodies without an example: {missing}"


def test_the_example_walk_sees_through_references(schema):
    # Guard for the walk itself: a schema with no example anywhere is not counted as documented.
    bare = {"components": {"schemas": {"Bare": {"type": "object", "properties": {"a": {"type": "string"}}}}}}
    assert not _has_example(bare, {"$ref": "#/components/schemas/Bare"})
    assert not _has_example(bare, {"type": "array", "items": {"$ref": "#/components/schemas/Bare"}})
