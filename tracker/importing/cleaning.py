"""Turning extraction noise into plain text: HTML fragments, Markdown marks, bullets."""

from __future__ import annotations

import html
import re
import unicodedata

# No "<" inside a tag: a run of "<p " that never closes is then scanned once, not once per "<".
_BLOCK_TAGS = re.compile(r"</?(?:p|li|ul|ol|br|div|tr|h\d)\b[^<>]*>", re.IGNORECASE)
_LIST_ITEM = re.compile(r"<li\b[^<>]*>", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]{0,500}>")
# Link text and address without brackets of their own: a run of "[" or "(" that never closes
# is then scanned once, not once per bracket (quadratic on a line of brackets).
_MD_LINK = re.compile(r"\[([^\[\]]*)\]\([^()]*\)")
_SUPERSCRIPT_MARK = re.compile(r"\^([^\^\s]{1,3})\^?")
# (?<!\s): tried from the start of a whitespace run only, not from every space inside it.
_NUMBERED_VARIANT = re.compile(r"(?<!\s)\s*(?:⁽[⁰¹²³⁴⁵⁶⁷⁸⁹]+⁾|\(\d{1,2}\))\s*$")
NUMBERING = re.compile(r"^\d{1,2}[.)]\s+")  # of a list item or a section: "1. ", "2) "


def normalise_key(text: str) -> str:
    """A comparison key: lower case, no accents, '&' as 'en', single spaces, no end dots."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    plain = plain.replace("&", " en ")
    plain = re.sub(r"[^\w()/+-]+", " ", plain)
    return re.sub(r"\s+", " ", plain).strip(" .")


def strip_markup(text: str) -> str:
    """Inline clean-up of one line: Markdown links and emphasis, '1^e^' marks, stray tags."""
    text = _MD_LINK.sub(r"\1", text)
    text = _SUPERSCRIPT_MARK.sub(r"\1", text)
    text = _TAG.sub("", text)
    text = html.unescape(text).replace("\u00a0", " ")
    text = text.replace("**", "").replace("__", "")
    return re.sub(r"[ \t]+", " ", text).strip()


def html_to_lines(fragment: str) -> list[str]:
    """An HTML cell (`<p>`, `<b>`, `<ol><li>`) or a '•'-separated list as lines of text.

    List items become "- " bullets, so actions read as the plan's list of results.
    """
    marked = _LIST_ITEM.sub("\n- ", fragment)
    marked = marked.replace("•", "\n- ")
    marked = _BLOCK_TAGS.sub("\n", marked)
    lines = []
    for raw in marked.split("\n"):
        line = strip_markup(raw)
        if line.startswith("- "):
            item = line[2:].strip().lstrip("-–•").strip()  # "- - Ziekenhuis": one bullet
            line = "- " + NUMBERING.sub("", item)
        if line and line != "-":
            lines.append(line)
    return lines


def heading_text(line: str) -> str:
    """A heading without Markdown marks or its page variant number ("…eerstelijns⁽²⁾")."""
    text = strip_markup(line.lstrip("#").strip())
    return _NUMBERED_VARIANT.sub("", text).strip()
