"""One check at the door for every request: input the app cannot store or act on is refused
before any view runs, so nothing is written and the answer is a clear 4xx, never a 500.

Refused, wherever user input enters (the path, the query string, form field names and values,
uploaded file names, JSON keys and strings, the client address a proxy forwards):
- NUL and the other control characters (PostgreSQL cannot store NUL; CR/LF would split a
  header), and lone surrogate code points (they cannot be encoded as UTF-8). Free text (form
  values, JSON strings) may hold tab, line feed and carriage return; the path, the query
  string and all names may not.
- JSON nested deeper than MAX_JSON_DEPTH (checked before parsing, so no deep recursion),
  the non-numbers NaN and Infinity, and numbers beyond what every JSON reader agrees on
  (I-JSON, RFC 7493: integers within ±(2**53 - 1), finite floats).
- Integers in paths (`<int:…>`) beyond a 32-bit id: no such object (404), not a database
  overflow.

A path that cannot name anything answers 404 (as for any unknown object); everything else
400: a page in the reader's language, or `{"error": kind, "message": …}` under /api/.
Uploaded file contents are not checked here: the importers read them.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from typing import Any

from flask import Flask, abort, current_app, jsonify, request
from flask.json.provider import DefaultJSONProvider
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

MAX_JSON_DEPTH = 32  # the API's bodies are flat objects; this leaves room and stops abuse
MAX_JSON_INTEGER = 2**53 - 1  # I-JSON (RFC 7493 §2.2)
MAX_PATH_INTEGER = 2**31 - 1  # every id is a 32-bit integer (PostgreSQL INTEGER)

_SURROGATES = "\ud800-\udfff"
# Names, paths and query values: no control character at all (C0, DEL, C1).
FORBIDDEN_IN_NAMES = re.compile(f"[\x00-\x1f\x7f-\x9f{_SURROGATES}]")
# Free text: tab, line feed and carriage return are part of ordinary text.
FORBIDDEN_IN_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_SURROGATES}]")

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_INNERMOST_PAIR = re.compile(r"\[\]|\{\}")


class JSONRefused(ValueError):
    """JSON that parses but is refused (too deep, a non-finite or too large number).

    A ValueError, so Flask's `get_json(silent=True)` treats it as unreadable JSON.
    """


def json_depth(text: str, limit: int = MAX_JSON_DEPTH) -> int | None:
    """How deeply arrays and objects nest in a JSON text (strings skipped), counted up to
    `limit + 1`; None when its brackets do not pair up (then it is not JSON at all).

    Without parsing and without recursion: each pass removes the innermost empty pairs (one
    level) at regular-expression speed, so ten megabytes of `[` cost no stack and little time.
    """
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    for depth in range(limit + 1):  # `depth` levels removed so far
        if not brackets:
            return depth
        brackets, removed = _INNERMOST_PAIR.subn("", brackets)
        if not removed:
            return None
    return limit + 1


def _refuse_constant(name: str) -> Any:
    raise JSONRefused(f"{name} is not a number JSON allows")


def _shown(number: str) -> str:
    return number if len(number) <= 20 else f"{number[:20]}… ({len(number)} characters)"


def _bounded_int(text: str) -> int:
    # Length first: int() of thousands of digits is slow, and refused beyond 4,300.
    if len(text.lstrip("-")) > 16 or abs(int(text)) > MAX_JSON_INTEGER:
        raise JSONRefused(f"the integer {_shown(text)} is outside ±(2**53 - 1)")
    return int(text)


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONRefused(f"the number {_shown(text)} is too large")
    return value


class BoundedJSONProvider(DefaultJSONProvider):
    """Flask's JSON, reading with the limits above (every `request.get_json` goes here)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        text = s.decode(json.detect_encoding(s), "surrogatepass") if isinstance(s, bytes) else s
        depth = json_depth(text)
        if depth is None:
            raise JSONRefused("the brackets of the JSON do not pair up")
        if depth > MAX_JSON_DEPTH:
            raise JSONRefused(f"the JSON is nested more than {MAX_JSON_DEPTH} levels deep")
        kwargs.setdefault("parse_constant", _refuse_constant)
        kwargs.setdefault("parse_int", _bounded_int)
        kwargs.setdefault("parse_float", _finite_float)
        return json.loads(text, **kwargs)


class BoundedIntegerConverter(IntegerConverter):
    """`<int:…>` in a route: only ids a database column can hold (else 404)."""

    def __init__(self, map: Any, *args: Any, **kwargs: Any) -> None:  # noqa: A002
        kwargs.setdefault("max", MAX_PATH_INTEGER)
        super().__init__(map, *args, **kwargs)


def forbidden_character(text: str, pattern: re.Pattern[str] = FORBIDDEN_IN_NAMES) -> str | None:
    """The first character of `text` the pattern refuses, or None."""
    found = pattern.search(text)
    return found.group() if found else None


def _name(key: str) -> str:
    """A field name for a message: quoted and escaped (no raw control character), short."""
    return repr(key[:40])


def _json_strings(value: Any) -> Iterator[tuple[str, str, bool]]:
    """Every string in a parsed JSON value: (where, the string, whether it is a key).

    Iterative, so any depth the parser accepted is walked without recursion."""
    stack: list[tuple[str, Any]] = [("the body", value)]
    while stack:
        place, item = stack.pop()
        if isinstance(item, str):
            yield place, item, False
        elif isinstance(item, dict):
            for key, inner in item.items():
                yield f"a key in {place}", key, True
                stack.append((f"field {_name(key)}", inner))
        elif isinstance(item, list):
            stack.extend((f"{place}[{i}]", inner) for i, inner in enumerate(item))


def _json_body() -> Any:
    """The request's JSON body read with the bounded reader; None when it is not readable
    JSON at all (the view answers that as it always did); JSONRefused when it is refused."""
    try:
        return current_app.json.loads(request.get_data(cache=True))
    except JSONRefused:
        raise
    except ValueError:  # not JSON, or not UTF-8 (UnicodeDecodeError)
        return None


def _texts() -> Iterator[tuple[str, str, re.Pattern[str]]]:
    """(where, text, the pattern it must not match) for every text input of the request."""
    # Behind a proxy (PROXY_FIX_X_FOR) the address is the client's X-Forwarded-For header,
    # and it is written to the audit trail.
    yield "the client address (X-Forwarded-For)", request.remote_addr or "", FORBIDDEN_IN_NAMES
    for key, value in request.args.items(multi=True):
        yield f"query parameter {_name(key)}", key, FORBIDDEN_IN_NAMES
        yield f"query parameter {_name(key)}", value, FORBIDDEN_IN_NAMES
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    for key, value in request.form.items(multi=True):  # 413 here when the body is too large
        yield f"form field {_name(key)}", key, FORBIDDEN_IN_NAMES
        yield f"form field {_name(key)}", value, FORBIDDEN_IN_TEXT
    for key, upload in request.files.items(multi=True):
        yield f"form field {_name(key)}", key, FORBIDDEN_IN_NAMES
        yield f"the file name in {_name(key)}", upload.filename or "", FORBIDDEN_IN_NAMES
    if request.is_json:
        for where, text, is_key in _json_strings(_json_body()):
            yield where, text, FORBIDDEN_IN_NAMES if is_key else FORBIDDEN_IN_TEXT


def check_request() -> ResponseReturnValue | None:
    """The before-request check (see the module docstring); None lets the request through."""
    if forbidden_character(request.path) is not None:
        abort(404)
    try:
        for where, text, pattern in _texts():
            character = forbidden_character(text, pattern)
            if character is not None:
                message = (
                    f"{where} contains U+{ord(character):04X}, a control character or a lone "
                    "surrogate; these are not accepted"
                )
                page_message = _(
                    "The text you sent contains characters that cannot be used, such as "
                    "control characters. Remove them and try again. Nothing was saved."
                )
                return _refuse("invalid_characters", message, page_message)
    except JSONRefused as refused:
        page_message = _("The request could not be read. Nothing was saved.")
        return _refuse("invalid_json", str(refused), page_message)
    return None


def _refuse(kind: str, message: str, page_message: str) -> ResponseReturnValue:
    """400: `{"error": kind, "message": …}` under /api/, else the page with `page_message`."""
    if request.path.startswith("/api/"):
        return jsonify(error=kind, message=message), 400
    abort(400, description=page_message)


def init_app(app: Flask) -> None:
    """Install the check before any other before-request function, the bounded JSON reader
    and the bounded `<int:…>` converter (before any blueprint adds its routes)."""
    app.json = BoundedJSONProvider(app)
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request_funcs.setdefault(None, []).insert(0, check_request)
