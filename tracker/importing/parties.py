"""Reading "Wie": the responsible parties of an activity, matched to the network's workgroups.

"Werkgroep PR & Communicatie, secretariaat en netwerkcoördinatoren" names three parties. A
party matches a workgroup by its name or one of its aliases, regardless of case, accents,
'&' versus 'en', and a plural ending; parties that match nothing are proposed for creation.
Known names are found first, so "Werkgroep PR en communicatie" is not split at its "en".

Before that, a "Wie" wrapped over lines is joined where a line clearly goes on ("Werkgroep
PR &" / "Communicatie", "deskundigheids-" / "bevordering"), and the network coordinator is
recognised as one role however it is spelled ("netwercoördinator", "netwerk-coördinator",
"coördinator netwerk"). Only when no name matches exactly, a typo is tolerated: the part of
the name that tells groups apart (without "Werkgroep") must be at least `FUZZY_MIN_LENGTH`
letters, differ in length by at most `FUZZY_MAX_LENGTH_DIFFERENCE` and score at least
`FUZZY_CUTOFF` (rapidfuzz's ratio), and no other group may do so too; such a match is
reported as `guessed` for review. A person of exactly one workgroup (`KnownGroup.people`)
stands for that workgroup.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from tracker.importing.cleaning import normalise_key

FUZZY_CUTOFF = 88.0  # rapidfuzz ratio (0–100) a typo must reach: one or two letters off
FUZZY_MIN_LENGTH = 5  # shorter distinctive names ("PR", "DB", "IDPZ") must match exactly
FUZZY_MAX_LENGTH_DIFFERENCE = 2  # a typo, not another word: "werkgroepen" ≠ "netwerkgroepen"

# A whitespace run is only tried from its start ((?<!\s)): tried from every position inside
# it, a run of spaces without a separator after it costs quadratic time. (Read as
# \s*(?:,|;|\n|\s+\+\s+)\s*; a "," or ";" right after the last separator starts one itself.)
_LIST_SEPARATORS = re.compile(
    r"(?:(?<!\s)\s*(?:[,;\n]|\s\+\s)|[,;])\s*"
    # "i.s.m." / "in samenwerking met" / "samen met" join parties as a comma does
    # (from a run's first space only: trying every space of a long run was quadratic)
    r"|(?<!\s)\s+(?:i\.?\s?s\.?\s?m\.?|in\s+samenwerking\s+met|samen\s+met)\s+",
    re.IGNORECASE,
)
_AND = re.compile(r"((?<!\s)\s+en\s+|(?<!\s)\s+&\s+(?=[a-z]))")
_GROUP_NAME = re.compile(r"^(?:werkgroep|projectgroep|kerngroep|stuurgroep)\b", re.IGNORECASE)
_STARTS_PARTY = re.compile(
    r"^(?:\x00|[A-ZÀ-Ý]|(?:werkgroep|projectgroep|kerngroep|stuurgroep|netwerk)\w*\b)"
)
_PARENTHESES = re.compile(r"\([^)]*\)")
_LEAD_WORDS = re.compile(r"^(?:de|het|alle|afvaardiging|afgevaardigde|vanuit)\s+", re.IGNORECASE)
_PLACEHOLDER = "\x00{}\x00"
# "Werkgroep deskundigheidsbevordering Met leden uit: - Ziekenhuis - GV": the members of a
# workgroup are not parties of their own.
_MEMBERS = re.compile(r"\bmet\s+(?:leden|deelnemers|vertegenwoordigers)\s+(?:uit|van)\b.*",
                      re.IGNORECASE | re.DOTALL)  # fmt: skip


@dataclass(frozen=True)
class KnownGroup:
    """A workgroup the parties may name: its name and the other names people use for it."""

    name: str
    aliases: tuple[str, ...] = ()
    # Its members' names: a person named in a "Wie" stands for their workgroup when they are
    # in no other. Used for matching only, never written into the plan.
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class Parties:
    """The parties of one "Wie": matched workgroups (by name) and the unmatched parties;
    `guessed` pairs a party as written with the workgroup it was taken for despite a typo."""

    workgroups: tuple[str, ...]
    unknown: tuple[str, ...]
    guessed: tuple[tuple[str, str], ...] = ()


_COORDINATOR_WORD = r"co(?:o|ö|ó|oo|oö)rdinator(?P<plural>en|s)?"
# "netwerkcoördinator", "netwercoördinator", "netwerk-coördinator", "netwerk coördinator",
# "coördinator netwerk", "coördinator van het netwerk" (and their plurals)
_COORDINATOR = re.compile(
    rf"(?<!\w)(?:netw\w{{0,4}}[ \t-]*{_COORDINATOR_WORD}"
    rf"|{_COORDINATOR_WORD.replace('plural', 'plural2')}[ \t]+(?:van[ \t]+het[ \t]+)?netwerk)"
    r"(?!\w)",
    re.IGNORECASE,
)
_JOINING_END = re.compile(r"(?:^|\s)(?:en|of|van|voor|de|het)$|[&+/,]$", re.IGNORECASE)
_JOINING_START = re.compile(r"^(?:&|\+|/|en|van|voor)\s", re.IGNORECASE)
_BULLET = re.compile(r"^[-•*]\s")
_TAIL = 12  # characters at a line's end that tell whether it goes on ("… voor", "… &")
_GROUP_WORDS = re.compile(r"^(?:(?:werk|project|kern|stuur)groep(?:en)?|de|het)(?:\s+|$)")


def canonical_roles(text: str) -> str:
    """The text with every spelling of the network coordinator written one way (capitalised
    when it was)."""

    def role(match: re.Match[str]) -> str:
        plural = match.group("plural") or match.group("plural2")
        word = "netwerkcoördinatoren" if plural else "netwerkcoördinator"
        return word.capitalize() if match.group(0)[0].isupper() else word

    return _COORDINATOR.sub(role, text)


def join_wrapped_lines(text: str) -> str:
    """A "Wie" wrapped over lines as one line where a line clearly goes on: it ends with a
    joining word or sign ("Werkgroep PR &"), the next starts with one ("en Saxion"), or a word
    is broken off with a hyphen ("deskundigheids-" / "bevordering"; "PR-" keeps its hyphen).
    Other lines stay lines: each may be a party of its own.

    Linear: only the last few characters of the line being joined are looked at (`tail`),
    not all of it, which made a long run of joined lines cost quadratic time.
    """
    lines = text.split("\n")
    pieces = [lines[0]]  # the output: lines, and pieces of lines joined (with "" or " ")
    tail = lines[0].rstrip()[-_TAIL:]
    for line in lines[1:]:
        after = line.strip()
        if not after or not tail or _BULLET.match(after):
            pieces += ["\n", line]
            tail = line.rstrip()[-_TAIL:]
            continue
        pieces[-1] = pieces[-1].rstrip()
        if re.search(r"[a-zà-ÿ]-$", tail):  # a word broken off: joined without its hyphen
            pieces[-1], tail, joint = pieces[-1][:-1], tail[:-1], ""
        elif tail.endswith("-") and not tail.endswith(" -"):  # "PR-" / "werkgroep"
            joint = ""
        elif _JOINING_END.search(tail) or _JOINING_START.match(after):
            joint = " "
        else:
            pieces += ["\n", line]
            tail = line.rstrip()[-_TAIL:]
            continue
        pieces += [joint, after]
        tail = (tail + joint + after)[-_TAIL:]
    return "".join(pieces)


def _distinctive(key: str) -> str:
    """The part of a party key that tells groups apart: without "werkgroep", "de", …"""
    return _GROUP_WORDS.sub("", key)


def _stem(key: str) -> str:
    """'netwerkcoordinatoren' and 'netwerkcoordinator' compare equal; so do groep/groepen."""
    for ending in ("en", "s"):
        if key.endswith(ending) and len(key) > len(ending) + 3:
            return key[: -len(ending)]
    return key


def party_key(name: str) -> str:
    """One key for a party however it is written: case, accents, '&'/'en', plural."""
    return _stem(normalise_key(name))


def _keys(name: str) -> set[str]:
    key = normalise_key(name)
    return {key, _stem(key)}


def _without_parentheses(text: str) -> str:
    """The text without "(…)" remarks: from each "(" to the first ")" after it.

    Only the text up to the last ")" is searched: there every "(" has a ")" after it, so no
    attempt fails after scanning to the end (which made a run of "(" cost quadratic time).
    """
    end = text.rfind(")") + 1
    return _PARENTHESES.sub(" ", text[:end]) + text[end:]


def split_parties(wie: str) -> list[str]:
    """Split a "Wie" text into its parties, verbatim apart from surrounding punctuation.

    Lists split at commas, semicolons, new lines and "en"; but within a group's name
    ("Werkgroep PR en communicatie", "Werkgroep proactieve zorgplanning en continuïteit van
    zorg") an "en" joins words, unless what follows is another group or a capitalised name.
    """
    text = _MEMBERS.sub("", _without_parentheses(join_wrapped_lines(wie)))
    parties: list[str] = []
    for item in _LIST_SEPARATORS.split(text):
        pieces = _AND.split(item)  # [part, separator, part, separator, …]
        current = pieces[0]
        for separator, piece in zip(pieces[1::2], pieces[2::2], strict=True):
            if _GROUP_NAME.match(current.strip()) and not _STARTS_PARTY.match(piece.strip()):
                current = f"{current}{separator}{piece}"
            else:
                parties.append(current)
                current = piece
        parties.append(current)
    cleaned = [re.sub(r"\s+", " ", p).strip(" .:-•") for p in parties]
    return [_LEAD_WORDS.sub("", p).strip() for p in cleaned if p]


class PartyMatcher:
    """Matches "Wie" texts against one network's workgroups and their aliases.

    Built once per import: the alias patterns are compiled here, not for every activity (with
    more names than Python's pattern cache holds, that made an import cost activities ×
    names compilations).
    """

    def __init__(self, known: Sequence[KnownGroup]) -> None:
        names = [(alias, group.name) for group in known for alias in (group.name, *group.aliases)]
        names += _people(known)
        # Longest first, so "Werkgroep beleid" wins over "beleid".
        names.sort(key=lambda pair: len(pair[0]), reverse=True)
        self._patterns: list[tuple[re.Pattern[str], str]] = []
        for alias, name in names:
            pattern = _alias_pattern(alias)
            if pattern is not None:
                self._patterns.append((pattern, name))
        self._lookup = {key: name for alias, name in names for key in _keys(alias)}
        self._fuzzy = {
            _distinctive(key): name
            for key, name in self._lookup.items()
            if len(_distinctive(key)) >= FUZZY_MIN_LENGTH
        }

    def match(self, wie: str) -> Parties:
        """The workgroups a "Wie" names (in the order named) and the parties that match none."""
        # NUL marks the names found below; a NUL in the text itself is not text.
        text = join_wrapped_lines(canonical_roles(wie.replace("\x00", " ")))
        text = _MEMBERS.sub("", _without_parentheses(text))
        found: list[str] = []
        for pattern, name in self._patterns:
            text, count = pattern.subn(_PLACEHOLDER.format(len(found)), text)
            if count:
                found.append(name)
        matched: list[str] = []
        unknown: dict[str, str] = {}  # party key → the party as first written
        guessed: list[tuple[str, str]] = []
        for part in split_parties(text):
            for placeholder in re.findall(r"\x00(\d+)\x00", part):
                matched.append(found[int(placeholder)])
            rest = re.sub(r"\s+", " ", re.sub(r"\x00\d+\x00", " ", part)).strip(" .,")
            if not rest:
                continue
            key = normalise_key(rest)
            group_name = self._lookup.get(key) or self._lookup.get(_stem(key))
            if group_name is None:
                group_name = self._guess(key)
                if group_name is not None:
                    guessed.append((rest, group_name))
            if group_name is not None:
                matched.append(group_name)
            else:
                unknown.setdefault(party_key(rest), rest)
        return Parties(
            tuple(dict.fromkeys(matched)), tuple(unknown.values()), tuple(dict.fromkeys(guessed))
        )

    def _guess(self, key: str) -> str | None:
        """The one workgroup a party names despite a typo, or None (see the module)."""
        distinctive = _distinctive(key)
        if len(distinctive) < FUZZY_MIN_LENGTH or not self._fuzzy:
            return None
        best = process.extract(
            distinctive, list(self._fuzzy), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF, limit=None
        )
        names = {
            self._fuzzy[candidate]
            for candidate, _score, _index in best
            if abs(len(candidate) - len(distinctive)) <= FUZZY_MAX_LENGTH_DIFFERENCE
        }
        return names.pop() if len(names) == 1 else None  # two groups close by: no guess


def _people(known: Sequence[KnownGroup]) -> list[tuple[str, str]]:
    """(person, their workgroup) for everyone in exactly one of the known workgroups."""
    groups_of: dict[str, set[str]] = {}
    for group in known:
        for person in group.people:
            groups_of.setdefault(person, set()).add(group.name)
    return [
        (person, next(iter(groups))) for person, groups in groups_of.items() if len(groups) == 1
    ]


def match_parties(wie: str, known: Sequence[KnownGroup]) -> Parties:
    """The workgroups a "Wie" names (in the order named) and the parties that match none."""
    return PartyMatcher(known).match(wie)


def _alias_pattern(alias: str) -> re.Pattern[str] | None:
    """A pattern finding `alias` in running text whatever its case and accents, its words
    apart by spaces or a "&"; an "en" of the alias (its key's "&" too) is "en" or "&"."""
    words = normalise_key(alias).split()
    if not words:
        return None
    joined = _word_pattern(words[0])
    for index in range(1, len(words)):
        if words[index] == "en" and index < len(words) - 1:
            continue  # joined to the word after it, below
        before_and = words[index - 1] == "en" and index > 1
        joiner = r"(?:\s+en\s+|\s*&\s*)" if before_and else r"(?:\s+|\s*&\s*)"
        joined += joiner + _word_pattern(words[index])
    # a plural or singular ending may differ ("netwerkgroep" / "netwerkgroepen")
    return re.compile(rf"(?<!\w){joined}(?:en|s)?(?!\w)", re.IGNORECASE)


def _word_pattern(word: str) -> str:
    return "".join(_ACCENTED.get(c, re.escape(c)) for c in word)


_ACCENTED = {
    "a": "[aáàäâ]", "e": "[eéèëê]", "i": "[iíìïî]", "o": "[oóòöô]", "u": "[uúùüû]",
    "c": "[cç]", "n": "[nñ]",
}  # fmt: skip
