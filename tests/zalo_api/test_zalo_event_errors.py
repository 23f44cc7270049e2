"""parse_event refuses malformed bodies with one clear EventParseError, and only with it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zalo_api import EventParseError, parse_event

FIXTURES = Path(__file__).parent.parent / "fixtures" / "zalo_events.json"
TEXT_EVENT = {
    "app_id": "1",
    "event_name": "user_send_text",
    "timestamp": "2",
    "sender": {"id": "3"},
    "recipient": {"id": "4"},
    "message": {"text": "hi", "msg_id": "5"},
}


def without(path: str) -> dict[str, Any]:
    """TEXT_EVENT without the field at a dotted path."""
    body = copy.deepcopy(TEXT_EVENT)
    *parents, last = path.split(".")
    target: Any = body
    for step in parents:
        target = target[step]
    del target[last]
    return body


def replaced(path: str, value: Any) -> dict[str, Any]:
    """TEXT_EVENT with the field at a dotted path set to value."""
    body = without(path)
    *parents, last = path.split(".")
    target: Any = body
    for step in parents:
        target = target[step]
    target[last] = value
    return body


@pytest.mark.parametrize(
    "path", ["event_name", "app_id", "timestamp", "sender.id", "recipient.id", "message.text"]
)
def test_a_missing_required_field_is_named(path: str) -> None:
    with pytest.raises(EventParseError, match=f"missing field {path}$"):
        parse_event(without(path))


@pytest.mark.parametrize(
    ("path", "value", "shown"),
    [
        ("sender.id", 1.5, "number"),
        ("sender.id", ["3"], "array"),
        ("recipient.id", True, "boolean"),
        ("timestamp", {"ms": 1}, "object"),
        ("message.text", 42, "number"),
        ("message.msg_id", {"id": "5"}, "object"),
        ("event_name", 7, "number"),
    ],
)
def test_a_wrongly_typed_field_is_named(path: str, value: Any, shown: str) -> None:
    with pytest.raises(EventParseError) as caught:
        parse_event(replaced(path, value))
    message = str(caught.value)
    assert path in message and shown in message and "\n" not in message


def test_a_body_that_is_not_an_object_is_refused() -> None:
    bodies: list[Any] = [[], "text", 3, None]
    for body in bodies:
        with pytest.raises(EventParseError, match="must be a JSON object"):
            parse_event(body)


def test_sender_must_be_an_object_with_an_id() -> None:
    with pytest.raises(EventParseError, match="missing field sender.id"):
        parse_event(replaced("sender", "3"))


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"event_name": "follow", "oa_id": "4"}, "follower.id"),
        (
            {"event_name": "user_submit_info", "sender": {"id": "3"}, "recipient": {"id": "4"}},
            "info",
        ),
        ({"event_name": "user_submit_info", "info": {}}, "sender.id"),
        ({"event_name": "user_click_chatnow", "oa_id": "4"}, "user_id"),
        ({"event_name": "user_seen_message", "message": {"msg_ids": [1.5]}}, "message.msg_ids"),
        ({"event_name": "oa_send_text", "recipient": {"id": "3"}}, "sender.id"),
        (
            {
                "event_name": "user_send_image",
                "sender": {"id": "3"},
                "recipient": {"id": "4"},
                "message": {"attachments": [{"payload": []}]},
            },
            "message.attachments[0]: field payload must be an object",
        ),
    ],
)
def test_other_shapes_name_what_is_wrong(body: dict[str, Any], named: str) -> None:
    with pytest.raises(EventParseError) as caught:
        parse_event({"app_id": "1", "timestamp": "2"} | body)
    assert named in str(caught.value)
    assert str(caught.value).startswith(body["event_name"] + ": ")


def test_submit_info_must_be_an_object() -> None:
    body: dict[str, Any] = {"app_id": "1", "timestamp": "2", "event_name": "user_submit_info"}
    body["info"] = "x"
    body |= {"sender": {"id": "3"}, "recipient": {"id": "4"}}
    with pytest.raises(EventParseError, match="field info must be an object"):
        parse_event(body)


# Arbitrary JSON, and fixture bodies with one field replaced by arbitrary JSON (which
# reaches the deeper parsers): parse_event answers an event or an EventParseError.
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)


def paths(value: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every key path inside nested objects."""
    if not isinstance(value, dict):
        return []
    found = []
    for key, inner in value.items():
        found.append((*prefix, key))
        found.extend(paths(inner, (*prefix, key)))
    return found


@st.composite
def mutated_fixtures(draw: st.DrawFn, bodies: list[dict[str, Any]]) -> dict[str, Any]:
    """A fixture body with one field replaced by arbitrary JSON (or removed)."""
    body: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(bodies)))
    *parents, last = draw(st.sampled_from(paths(body)))
    target = body
    for step in parents:
        target = target[step]
    if draw(st.booleans()):
        target[last] = draw(json_values)
    else:
        del target[last]
    return body


def fixture_bodies() -> list[dict[str, Any]]:
    """The fixture file's bodies, decoded."""
    events = json.loads(FIXTURES.read_text(encoding="utf-8"))["events"]
    return [json.loads(event["raw"]) for event in events.values()]


def parses_or_refuses(body: Any) -> None:
    """parse_event's only possible outcomes."""
    try:
        parse_event(body)
    except EventParseError as exc:
        assert str(exc) and "\n" not in str(exc)


@settings(max_examples=300)
@given(json_values)
def test_arbitrary_json_never_raises_anything_but_event_parse_error(body: Any) -> None:
    parses_or_refuses(body)


@settings(max_examples=500)
@given(mutated_fixtures(fixture_bodies()))
def test_damaged_events_never_raise_anything_but_event_parse_error(body: Any) -> None:
    parses_or_refuses(body)
