"""The pieces of the request check (tracker/web/input_guard.py) on their own: the JSON depth
count without parsing, the bounded JSON reader, and what counts as a refused character."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st

from tracker.web.input_guard import (
    FORBIDDEN_IN_NAMES,
    FORBIDDEN_IN_TEXT,
    MAX_JSON_DEPTH,
    BoundedJSONProvider,
    JSONRefused,
    json_depth,
)

# JSON values with strings full of brackets, quotes and backslashes (they must not count).
STRINGS = st.text(st.sampled_from('[]{}"\\ax\n\u00e9'), max_size=8)
VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | STRINGS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(STRINGS, inner, max_size=3),
    max_leaves=40,
)


def depth_of(value: Any) -> int:
    if isinstance(value, list):
        return 1 + max(map(depth_of, value), default=0)
    if isinstance(value, dict):
        return 1 + max(map(depth_of, value.values()), default=0)
    return 0


def wrapped(value: Any, levels: int) -> Any:
    for _ in range(levels):
        value = [value]
    return value


@given(VALUES, st.integers(0, 40), st.booleans())
def test_the_depth_count_agrees_with_the_parsed_value(
    value: Any, extra: int, escaped: bool
) -> None:
    deep = wrapped(value, extra)
    expected = depth_of(deep)
    assert json_depth(json.dumps(deep, ensure_ascii=escaped)) == min(expected, MAX_JSON_DEPTH + 1)


def test_unpaired_brackets_are_not_json_and_ten_million_cost_no_recursion() -> None:
    assert json_depth("[}") is None
    assert json_depth("[" * 10_000_000) is None
    assert json_depth("[" * 100_000 + "]" * 100_000) == MAX_JSON_DEPTH + 1


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[" * 33 + "]" * 33, "nested more than 32"),
        ('{"a": [}', "do not pair up"),
        ('{"v": NaN}', "NaN"),
        ('{"v": -Infinity}', "-Infinity"),
        ('{"v": 1e999}', "too large"),
        ('{"v": 9007199254740992}', "outside"),
        ('{"v": -9007199254740992}', "outside"),
        ('{"v": ' + "9" * 5000 + "}", "(5000 characters)"),
    ],
)
def test_the_json_reader_refuses_what_every_reader_would_not_agree_on(
    text: str, words: str
) -> None:
    provider = BoundedJSONProvider(Flask(__name__))
    with pytest.raises(JSONRefused, match=words.replace("(", r"\(").replace(")", r"\)")):
        provider.loads(text)
    with pytest.raises(JSONRefused):
        provider.loads(text.encode("utf-16"))  # bytes in any JSON encoding: the same reader


def test_the_json_reader_reads_ordinary_json_as_before() -> None:
    provider = BoundedJSONProvider(Flask(__name__))
    text = '{"a": [1, 2.5, -9007199254740991, "x\\u00e9", null, true, {"b": "]"}]}'
    assert provider.loads(text) == json.loads(text)
    deepest = "[" * 32 + "]" * 32
    assert provider.loads(deepest) == json.loads(deepest)


@given(st.characters(exclude_categories=()))
def test_names_refuse_every_control_character_and_text_keeps_tab_lf_cr(char: str) -> None:
    control = ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F
    surrogate = 0xD800 <= ord(char) <= 0xDFFF
    assert bool(FORBIDDEN_IN_NAMES.search(f"a{char}b")) == (control or surrogate)
    in_text = (control and char not in "\t\n\r") or surrogate
    assert bool(FORBIDDEN_IN_TEXT.search(f"a{char}b")) == in_text
