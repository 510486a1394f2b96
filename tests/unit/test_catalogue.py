"""The catalogues are complete: every text the code and the templates give people has its
Dutch translation, with the same placeholders, and the catalogue compiles.

The texts are found as `make extract-messages` finds them (pybabel extract with the
Makefile's keywords and babel.cfg), so a new `_()`, `Message()` or `{{ _() }}` without a
Dutch entry fails here.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
DUTCH = ROOT / "tracker" / "translations" / "nl" / "LC_MESSAGES" / "messages.po"


def keywords() -> list[str]:
    found = re.search(r"^BABEL_KEYWORDS := (.+)$", (ROOT / "Makefile").read_text(), re.M)
    assert found, "the Makefile names the extraction keywords in BABEL_KEYWORDS"
    return found.group(1).split()


def extracted(tmp_path: Path) -> Catalog:
    """Every msgid in the code and the templates now."""
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).with_name("pybabel")
    subprocess.run(
        [str(pybabel), "-q", "extract", "-F", "babel.cfg", *keywords(), "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
        timeout=120,
    )
    with pot.open("rb") as file:
        return read_po(file)


def dutch() -> Catalog:
    with DUTCH.open("rb") as file:
        return read_po(file, locale="nl")


def translated(message: Message | None) -> bool:
    if message is None or message.fuzzy:
        return False
    forms = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(forms)


def test_every_text_in_the_code_has_a_dutch_translation(tmp_path: Path) -> None:
    template, catalogue = extracted(tmp_path), dutch()
    assert len(template) > 300  # the extraction found the texts (not an empty run)
    missing = [m.id for m in template if m.id and not translated(catalogue.get(m.id))]
    assert missing == []


def test_the_extraction_finds_texts_given_as_data(tmp_path: Path) -> None:
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in extracted(tmp_path)}
    assert "the file is empty" in ids  # Message("…") in the importers
    assert "Dear members of %(workgroup)s," in ids  # a mail template (.txt and .html)
    plural = "the plan has more than %(most)s activity, more than can be imported at once; "
    assert plural + "split it over more files" in ids  # Message.plural


def test_the_dutch_catalogue_has_no_guesses_and_keeps_every_placeholder() -> None:
    catalogue = dutch()
    assert [m.id for m in catalogue if m.id and m.fuzzy] == []
    assert [(m.id, [str(e) for e in errors]) for m, errors in catalogue.check()] == []
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    assert compiled.getbuffer().nbytes > 10_000
