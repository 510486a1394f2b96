"""The project's structured plan format (YAML, `format: jaarplan/1`) read into a PlanDocument.

A PlanDocument is what every importer produces and what `loading.load_plan` stores. The
format is documented in docs/plan-format.md.

A YAML file is read with bounds (tracker.importing.limits): the values it holds, counting
each repetition by an alias (`*name`) in full, the activities and the time. The format needs
no aliases; a few are allowed, an alias "bomb" (10 kB that expand to millions of values) is
refused while it is composed, before anything is built from it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import asdict
from typing import Any

import yaml

from tracker.domain.budget import BadAmount, BudgetLine, BudgetShare, parse_amount, parse_share
from tracker.domain.message import Message, MessageError
from tracker.domain.plan import PlanDocument, PlannedActivity, WorkgroupSpec
from tracker.domain.targets import Comparator, Target
from tracker.importing.limits import ImportBudget

FORMAT = "jaarplan/1"


class PlanFileError(MessageError):
    """The plan file cannot be read; the message says what is wrong and where."""


def refuse_unknown_workgroups(
    where: str | Message, groups: Sequence[str], known: Collection[str]
) -> None:
    """Refuse an activity naming a workgroup the plan does not list."""
    unknown = [g for g in groups if g not in known]
    if unknown:
        raise PlanFileError(
            Message(
                "%(where)s: unknown workgroup(s): %(names)s", where=where, names=", ".join(unknown)
            )
        )


def refuse_same_titles(activities: Sequence[PlannedActivity]) -> None:
    """Refuse a plan in which two activities have the same title (a title names one)."""
    twice = sorted(title for title, n in Counter(a.title for a in activities).items() if n > 1)
    if twice:
        raise PlanFileError(
            Message("activities with the same title: %(titles)s", titles=", ".join(twice))
        )


def is_year(text: str) -> bool:
    """A plan year: four ASCII digits from 1900 to 2200 (not '²', not 0, not 99999)."""
    value = text.strip()
    return bool(re.fullmatch(r"[0-9]{4}", value)) and 1900 <= int(value) <= 2200


def _text(mapping: dict[str, Any], key: str, where: str | Message, required: bool = False) -> str:
    value = "" if mapping.get(key) is None else mapping[key]
    if not isinstance(value, str | int):
        raise PlanFileError(Message("%(where)s: '%(key)s' must be text", where=where, key=key))
    text = str(value).strip()
    if required and not text:
        raise PlanFileError(Message("%(where)s: '%(key)s' is missing", where=where, key=key))
    return text


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, counting the values it composes (an alias as all it repeats).

    Refuses more values than the budget allows (ImportFailed) and an alias to a value that
    contains it (PlanFileError); checks the clock between values and each text's length.
    """

    def __init__(self, source: str, budget: ImportBudget) -> None:
        self.budget = budget
        self.values = 0
        self.sizes: dict[int, int] = {}  # id(node) → its values, aliases included
        self.steps = 0
        super().__init__(source)

    def forward(self, length: int = 1) -> None:
        """The reader's step, with the clock checked now and then: one long text is scanned
        as a single value, so the checks between values would come too late."""
        super().forward(length)
        self.steps += 1
        if not self.steps % 4096:
            self.budget.tick()

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            target = self.anchors.get(event.anchor) if isinstance(event, yaml.AliasEvent) else None
            if target is not None:
                if id(target) not in self.sizes:  # still being composed: the alias is inside it
                    raise PlanFileError(
                        Message("the YAML alias *%(anchor)s refers to itself", anchor=event.anchor)
                    )
                self._count(self.sizes[id(target)])
            return super().compose_node(parent, index)
        before = self.values
        self._count(1)
        node = super().compose_node(parent, index)
        if isinstance(node, yaml.ScalarNode):
            self.budget.check_text(
                Message("line %(number)s", number=node.start_mark.line + 1), node.value
            )
        self.sizes[id(node)] = self.values - before
        return node

    def _count(self, values: int) -> None:
        self.values += values
        self.budget.count_yaml_values(self.values)
        self.budget.tick()


def read_plan_yaml(source: str, budget: ImportBudget | None = None) -> PlanDocument:
    """Parse a plan in the YAML format; raise PlanFileError (what and where) if invalid.

    `budget` bounds the values, activities and time (see the module docstring); default
    limits when not given. What the tracker wrote itself passes an unlimited one.
    """
    budget = budget or ImportBudget()
    data = _load(source, budget)
    if not isinstance(data, dict):
        raise PlanFileError(Message("the file holds no annual plan (expected: a YAML mapping)"))
    if data.get("format") != FORMAT:
        found, expected = repr(data.get("format")), repr(FORMAT)
        message = Message(
            "unknown format %(found)s; expected %(expected)s", found=found, expected=expected
        )
        raise PlanFileError(message)
    network = data.get("network") or {}
    plan = data.get("plan") or {}
    if not isinstance(network, dict) or not isinstance(plan, dict):
        raise PlanFileError(Message("'network' and 'plan' must be mappings"))
    year = plan.get("year")
    if not isinstance(year, int | str) or not is_year(str(year)):
        raise PlanFileError(Message("plan: 'year' must be a year (1900–2200)"))
    workgroups = []
    for i, w in enumerate(_list(data, "workgroups")):
        place = Message("workgroup %(number)s", number=i + 1)
        workgroups.append(
            WorkgroupSpec(
                _text(w, "name", place, True), _text(w, "email", place), _names(w, "aliases", place)
            )
        )
    activities = _activities(data, {w.name for w in workgroups}, budget)
    refuse_same_titles(activities)
    return PlanDocument(
        network_slug=_text(network, "slug", "network", True),
        network_name=_text(network, "name", "network", True),
        plan_slug=_text(plan, "slug", "plan", True),
        year=int(year),
        title=_text(plan, "title", "plan", True),
        motto=_text(plan, "motto", "plan"),
        introduction=_text(plan, "introduction", "plan"),
        workgroups=tuple(workgroups),
        activities=tuple(activities),
        budget=_budget_lines(data.get("budget") or {}),
        budget_shares=_budget_shares(data.get("budget") or {}),
    )


def _load(source: str, budget: ImportBudget) -> Any:
    """The YAML text as data, within the bounds of `budget`; PlanFileError when not YAML."""
    loader: _BoundedLoader | None = None
    try:
        loader = _BoundedLoader(source, budget)  # reads the whole text: may fail already
        return loader.get_single_data()
    except yaml.YAMLError as error:
        raise PlanFileError(Message("not valid YAML: %(error)s", error=str(error))) from None
    except RecursionError:
        raise PlanFileError(Message("not valid YAML: nested too deeply")) from None
    finally:
        if loader is not None:
            loader.dispose()


def _activities(
    data: dict[str, Any], known: set[str], budget: ImportBudget
) -> list[PlannedActivity]:
    """The activities of every theme, refused at the first one over the import's cap."""
    activities: list[PlannedActivity] = []
    for t_index, theme in enumerate(_list(data, "themes")):
        theme_name = _text(theme, "name", Message("theme %(number)s", number=t_index + 1), True)
        for a_index, item in enumerate(_list(theme, "activities")):
            budget.count_activities(len(activities) + 1)
            budget.tick()
            where = Message("%(theme)s, activity %(number)s", theme=theme_name, number=a_index + 1)
            groups = _names(item, "workgroups", where)
            refuse_unknown_workgroups(where, groups, known)
            activities.append(
                PlannedActivity(
                    title=_text(item, "title", where, True),
                    theme=theme_name,
                    objectives=_text(item, "objectives", where),
                    actions=_text(item, "actions", where),
                    wie=_text(item, "wie", where),
                    wanneer=_text(item, "wanneer", where),
                    workgroups=tuple(groups),
                    source=_text(item, "source", where),
                    carried_from_year=_carried(item.get("carried_from_year"), where),
                    parties=_names(item, "parties", where),
                    targets=_targets(item, where),
                )
            )
    return activities


def _budget_lines(budget: Any) -> tuple[BudgetLine, ...]:
    if not isinstance(budget, dict):
        raise PlanFileError(Message("'budget' must be a mapping (lines, shares)"))
    lines = []
    for index, item in enumerate(_list(budget, "lines")):
        where = Message("budget, line %(number)s", number=index + 1)
        try:
            amount = parse_amount(item.get("amount", ""))
        except BadAmount as problem:
            raise PlanFileError(_at(where, problem.message)) from None
        lines.append(
            BudgetLine(_text(item, "theme", where, True), _text(item, "item", where), amount)
        )
    return tuple(lines)


def _budget_shares(budget: Any) -> tuple[BudgetShare, ...]:
    shares = []
    for index, item in enumerate(_list(budget, "shares")):
        where = Message("budget, share %(number)s", number=index + 1)
        try:
            share = parse_share(str(item.get("share", "")))
        except BadAmount as problem:
            raise PlanFileError(_at(where, problem.message)) from None
        shares.append(BudgetShare(_text(item, "name", where, True), share))
    if shares and sum(s.share for s in shares) != 1:
        raise PlanFileError(Message("budget: the parts of the split do not add up to 1"))
    return tuple(shares)


def _list(mapping: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = mapping.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise PlanFileError(Message("'%(key)s' must be a list of mappings", key=key))
    return value


def _at(where: Message, problem: Message) -> Message:
    return Message("%(where)s: %(problem)s", where=where, problem=problem)


def _names(mapping: dict[str, Any], key: str, where: str | Message) -> tuple[str, ...]:
    value = mapping.get(key) or []
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PlanFileError(
            Message("%(where)s: '%(key)s' must be a list of names", where=where, key=key)
        )
    return tuple(v.strip() for v in value)


def _carried(value: Any, where: Message) -> int | None:
    if value in (None, ""):
        return None
    if not is_year(str(value)):
        raise PlanFileError(Message("%(where)s: 'carried_from_year' must be a year", where=where))
    return int(value)


def _targets(mapping: dict[str, Any], where: Message) -> tuple[Target, ...]:
    targets = []
    for index, item in enumerate(_list(mapping, "targets")):
        place = Message("%(where)s, target %(number)s", where=where, number=index + 1)
        try:
            comparator = Comparator(str(item.get("comparator", "=")))
            value = float(item["value"])
        except (KeyError, TypeError, ValueError):
            raise PlanFileError(
                Message(
                    "%(where)s: 'value' must be a number and 'comparator' one of >=, <=, =",
                    where=place,
                )
            ) from None
        targets.append(
            Target(
                text=_text(item, "text", place),
                comparator=comparator,
                value=value,
                unit=_text(item, "unit", place, True),
                per_year=bool(item.get("per_year", False)),
            )
        )
    return tuple(targets)


def dump_plan_yaml(document: PlanDocument) -> str:
    """The plan in the YAML format, so that `read_plan_yaml(dump_plan_yaml(d)) == d`."""
    themes: dict[str, list[dict[str, Any]]] = {}
    for activity in document.activities:
        item: dict[str, Any] = {"title": activity.title}
        for key in ("objectives", "actions", "wie", "wanneer"):
            if getattr(activity, key):
                item[key] = getattr(activity, key)
        item["workgroups"] = list(activity.workgroups)
        if activity.parties:
            item["parties"] = list(activity.parties)
        if activity.targets:
            item["targets"] = [
                asdict(t) | {"comparator": str(t.comparator)} for t in activity.targets
            ]
        if activity.source:
            item["source"] = activity.source
        if activity.carried_from_year is not None:
            item["carried_from_year"] = activity.carried_from_year
        themes.setdefault(activity.theme, []).append(item)
    data: dict[str, Any] = {
        "format": FORMAT,
        "network": {"slug": document.network_slug, "name": document.network_name},
        "plan": {
            "slug": document.plan_slug,
            "year": document.year,
            "title": document.title,
            "motto": document.motto,
            "introduction": document.introduction,
        },
        "workgroups": [
            {
                "name": w.name,
                "email": w.email,
                **({"aliases": list(w.aliases)} if w.aliases else {}),
            }
            for w in document.workgroups
        ],
        "themes": [{"name": name, "activities": items} for name, items in themes.items()],
    }
    if document.budget or document.budget_shares:
        data["budget"] = {
            "lines": [
                {"theme": b.theme, "item": b.item, "amount": str(b.amount)} for b in document.budget
            ],
            "shares": [
                {"name": s.name, "share": f"{s.share.numerator}/{s.share.denominator}"}
                for s in document.budget_shares
            ],
        }
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)
