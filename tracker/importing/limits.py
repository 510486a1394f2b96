"""Bounds on one import, so that no uploaded file can hold a worker's time or memory for long.

A plan file comes from outside; each bound refuses it with one message (ImportFailed),
like every other unreadable file, and nothing is stored:

- the file's size (`IMPORT_MAX_BYTES`, 5 MiB);
- a zip-based file (.docx, .xlsx): at most `MAX_ZIP_MEMBERS` members, their unpacked size
  together (`IMPORT_MAX_UNPACKED_BYTES`, 50 MiB), both as the zip directory states it and as
  inflating really gives it, and XML tags: `XML_TAGS_BASE` plus `XML_TAGS_PER_ACTIVITY` per
  allowed activity (1,100,000), before a parser opens the file (see `unpacked_archive`);
- the activities of one import (`IMPORT_MAX_ACTIVITIES`, 2,000), counted while reading: the
  readers stop at the first activity too many instead of building them all and counting;
- a YAML file's values, counting each repetition by an alias (`*name`) in full: at most
  `YAML_VALUES_PER_ACTIVITY` per allowed activity (an alias "bomb" of 10 kB expands to millions);
- time (`IMPORT_TIME_BUDGET`, 10 s): the readers check the clock in their loops (per line,
  paragraph, run, row, YAML value, activity) and stop once it has run out. Each step between
  two checks takes time linear in its own size, and no single text (a line, cell, value or
  field) may be longer than `MAX_TEXT_CHARS`, so the overrun is small.
"""

from __future__ import annotations

import io
import math
import sys
import time
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from tracker.domain.message import Message, MessageError, Number

MIB = 1024 * 1024
DEFAULT_MAX_BYTES = 5 * MIB
DEFAULT_MAX_UNPACKED_BYTES = 50 * MIB
DEFAULT_MAX_ACTIVITIES = 2000
DEFAULT_TIME_BUDGET = 10.0  # seconds
MAX_ZIP_MEMBERS = 1000  # a Word or Excel file has a few dozen; images add one each
YAML_VALUES_PER_ACTIVITY = 100  # an activity with all fields and a few targets has about 40
XML_TAGS_PER_ACTIVITY = 500  # an activity in Word, verbosely marked up, has about 300
XML_TAGS_BASE = 100_000  # styles and the like: an empty Word file has 25,000
MAX_TEXT_CHARS = 100_000  # one line, cell or field: some 15 pages of running text


class ImportFailed(MessageError):
    """The file cannot be imported; the message names the problem."""


@dataclass(frozen=True)
class ImportLimits:
    """The bounds of one import (see the module docstring); defaults as in config.py."""

    max_bytes: int = DEFAULT_MAX_BYTES
    max_unpacked_bytes: int = DEFAULT_MAX_UNPACKED_BYTES
    max_activities: int = DEFAULT_MAX_ACTIVITIES
    time_budget: float = DEFAULT_TIME_BUDGET
    max_text_chars: int = MAX_TEXT_CHARS

    @property
    def max_yaml_values(self) -> int:
        return YAML_VALUES_PER_ACTIVITY * self.max_activities

    @property
    def max_xml_tags(self) -> int:
        return XML_TAGS_BASE + XML_TAGS_PER_ACTIVITY * self.max_activities

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ImportLimits:
        """The limits an app is configured with (IMPORT_* settings; defaults where unset)."""
        return cls(
            max_bytes=int(config.get("IMPORT_MAX_BYTES", DEFAULT_MAX_BYTES)),
            max_unpacked_bytes=int(
                config.get("IMPORT_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)
            ),
            max_activities=int(config.get("IMPORT_MAX_ACTIVITIES", DEFAULT_MAX_ACTIVITIES)),
            time_budget=float(config.get("IMPORT_TIME_BUDGET", DEFAULT_TIME_BUDGET)),
        )


# For what the tracker wrote itself (a stored draft): it was bounded when it was uploaded.
UNLIMITED = ImportLimits(sys.maxsize, sys.maxsize, sys.maxsize, math.inf, sys.maxsize)


class ImportBudget:
    """The running account of one import: its deadline and its activity count.

    The readers call `tick()` in their loops and `count_activities()` as activities are read;
    both raise ImportFailed once a bound is passed.
    """

    def __init__(
        self, limits: ImportLimits | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limits = limits or ImportLimits()
        self._clock = clock
        self._deadline = clock() + self.limits.time_budget

    def tick(self) -> None:
        """Refuse the import once its time budget has run out."""
        if self._clock() > self._deadline:
            seconds = self.limits.time_budget
            raise ImportFailed(
                Message.plural(
                    "reading this file took too long (more than %(seconds)s second) and was "
                    "stopped; make the file smaller or split the plan over more files",
                    "reading this file took too long (more than %(seconds)s seconds) and was "
                    "stopped; make the file smaller or split the plan over more files",
                    1 if seconds == 1 else 2,
                    seconds=Number(seconds),
                )
            )

    def check_text(self, where: Message, text: str) -> None:
        """Refuse one text (a line, cell, value or field) longer than `max_text_chars`.

        What the readers do with one text (split parties, read dates and targets) happens
        between two checks of the clock; this bounds how long that can take.
        """
        if len(text) > self.limits.max_text_chars:
            raise ImportFailed(
                Message(
                    "%(where)s: the text is too long (%(length)s characters; at most %(most)s)",
                    where=where,
                    length=Number(len(text)),
                    most=Number(self.limits.max_text_chars),
                )
            )

    def count_yaml_values(self, count: int) -> None:
        """Refuse a YAML file once it holds more values than a plan of the cap's size needs."""
        if count > self.limits.max_yaml_values:
            raise ImportFailed(
                Message(
                    "the file holds more than %(values)s values (repetitions by YAML aliases "
                    "counted), more than a plan of %(activities)s activities needs",
                    values=Number(self.limits.max_yaml_values),
                    activities=Number(self.limits.max_activities),
                )
            )

    def count_activities(self, count: int) -> None:
        """Refuse the import when `count` activities (read so far) exceed the cap."""
        most = self.limits.max_activities
        if count > most:
            raise ImportFailed(
                Message.plural(
                    "the plan has more than %(most)s activity, more than can be imported at "
                    "once; split it over more files",
                    "the plan has more than %(most)s activities, more than can be imported at "
                    "once; split it over more files",
                    most,
                    most=Number(most),
                )
            )


def unpacked_archive(data: bytes, budget: ImportBudget) -> io.BytesIO:
    """A zip-based file (.docx, .xlsx) rebuilt from what it really holds, within the limits.

    First the zip directory's word is checked: the number of members and their unpacked size
    together. Then each member is inflated in small steps, counting what really comes out,
    and the members are stored again, uncompressed, in a new archive for the format's reader.
    Python's zipfile stops at the size the directory states, but inflates up to 1 GiB in one
    step when a library reads a member whole (`ZipFile.read`): a directory that lies would
    otherwise cost that much memory before the lie shows. The XML tags are counted on the
    way ("<"): the parsers' memory grows with elements, not bytes (45 MB of empty Word
    paragraphs took 1.7 GB), so their number is bounded too.

    Raises ImportFailed past a limit; anything else (not a zip, damaged, encrypted) is left to
    the caller, which names the format it expected.
    """
    limits = budget.limits
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {member.filename: member for member in archive.infolist()}  # last one wins
        if len(members) > MAX_ZIP_MEMBERS:
            raise ImportFailed(
                Message(
                    "the file consists of too many parts (%(parts)s; at most %(most)s)",
                    parts=Number(len(members)),
                    most=Number(MAX_ZIP_MEMBERS),
                )
            )
        stated = sum(member.file_size for member in members.values())
        if stated > limits.max_unpacked_bytes:
            raise _too_large_unpacked(stated, limits)
        rebuilt = io.BytesIO()
        unpacked = tags = 0
        with zipfile.ZipFile(rebuilt, "w", zipfile.ZIP_STORED) as copy:
            for name, member in members.items():
                with archive.open(member) as source, copy.open(name, "w") as target:
                    while chunk := source.read(_STEP):
                        budget.tick()
                        unpacked += len(chunk)
                        if unpacked > limits.max_unpacked_bytes:
                            raise _too_large_unpacked(unpacked, limits)
                        tags += chunk.count(b"<")
                        if tags > limits.max_xml_tags:
                            raise ImportFailed(
                                Message(
                                    "the file holds too much markup (more than %(most)s XML "
                                    "elements); split the plan over more files",
                                    most=Number(limits.max_xml_tags),
                                )
                            )
                        target.write(chunk)
    rebuilt.seek(0)
    return rebuilt


_STEP = 64 * 1024


def _too_large_unpacked(size: int, limits: ImportLimits) -> ImportFailed:
    return ImportFailed(
        Message(
            "the file is too large unpacked (%(size)s; at most %(most)s)",
            size=megabytes(size),
            most=megabytes(limits.max_unpacked_bytes),
        )
    )


def megabytes(count: int) -> Message:
    """A size in whole megabytes: "50 MB"."""
    return Message("%(megabytes)s MB", megabytes=Number(round(count / MIB)))
