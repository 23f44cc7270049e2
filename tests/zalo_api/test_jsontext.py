"""zalo_api.jsontext writes what the standard library wrote, and reads what it read."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zalo_api.jsontext import json_bytes, json_text, json_value

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)
# Text as people and Zalo write it: any character but a lone surrogate (which the webhook
# cleans away before anything is stored).
TEXT = st.text(st.characters(exclude_categories=("Cs",)))
SCALARS = st.none() | st.booleans() | INT64 | TEXT
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner) | st.dictionaries(TEXT, inner), max_leaves=20
)


def stdlib(value: Any) -> str:
    """What the hot paths wrote before: compact, non-ASCII as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@given(VALUES)
def test_writes_what_the_standard_library_wrote(value: Any) -> None:
    """Byte for byte, for every value without a float."""
    assert json_text(value) == stdlib(value)
    assert json_bytes(value) == stdlib(value).encode()
    assert json_value(json_bytes(value)) == value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_a_float_reads_back_as_itself(value: float) -> None:
    """Floats (the outbox's times) may be spelled differently ('1e16' for '1e+16'), but both
    readers read the same number."""
    assert json.loads(json_text(value)) == value
    assert json_value(stdlib(value)) == value


@pytest.mark.parametrize(
    "value",
    [2**64, -(2**63) - 1, {"text": "a\ud800b"}, {1: "an int key"}],
    ids=["int beyond 64 bits", "int below -2^63", "lone surrogate", "int key"],
)
def test_what_orjson_refuses_to_write_is_written_as_before(value: Any) -> None:
    """The standard library writes it (a lone surrogate then fails where it failed before:
    encoding the text as UTF-8)."""
    assert json_text(value) == stdlib(value)
    if value != {"text": "a\ud800b"}:
        assert json_bytes(value) == stdlib(value).encode()


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        (b'"\\ud800"', "\ud800"),
        ("\ufeff[1]".encode(), [1]),
        (b"[NaN]", None),
        (b'{"a":1,"a":2}', {"a": 2}),
    ],
    ids=["lone surrogate escape", "BOM", "bare NaN", "repeated key"],
)
def test_what_orjson_refuses_to_read_is_read_as_before(raw: bytes, value: Any) -> None:
    """The standard library's reading, whatever orjson thinks of the text."""
    found = json_value(raw)
    if value is None:  # NaN is not equal to itself
        assert json.dumps(found) == "[NaN]"
    else:
        assert found == value == json.loads(raw)


@pytest.mark.parametrize("raw", [b"", b"{", b"[1,]", b"\xff", "[" * 100_000])
def test_not_json_is_a_value_error_or_a_recursion_error(raw: bytes | str) -> None:
    """What callers catch (the transport, the conversation store, the event decoder)."""
    with pytest.raises((ValueError, RecursionError)):
        json_value(raw)
