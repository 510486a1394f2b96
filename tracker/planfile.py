"""The project's structured plan format (YAML, `format: jaarplan/1`) read into a PlanDocument.

A PlanDocument is what every importer produces and what `loading.load_plan` stores. The
format is documented in docs/plan-format.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from tracker.domain.commands import PlannedActivity

FORMAT = "jaarplan/1"


class PlanFileError(Exception):
    """The plan file cannot be read; the message says what is wrong and where."""


@dataclass(frozen=True)
class WorkgroupSpec:
    name: str
    email: str = ""


@dataclass(frozen=True)
class PlanDocument:
    network_slug: str
    network_name: str
    plan_slug: str
    year: int
    title: str
    motto: str
    introduction: str
    workgroups: tuple[WorkgroupSpec, ...]
    activities: tuple[PlannedActivity, ...]

    @property
    def themes(self) -> list[str]:
        """Theme names in the order the plan first mentions them."""
        return list(dict.fromkeys(activity.theme for activity in self.activities))


def _text(mapping: dict[str, Any], key: str, where: str, required: bool = False) -> str:
    value = mapping.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        raise PlanFileError(f"{where}: '{key}' moet tekst zijn")
    text = str(value).strip()
    if required and not text:
        raise PlanFileError(f"{where}: '{key}' ontbreekt")
    return text


def read_plan_yaml(source: str) -> PlanDocument:
    """Parse a plan in the YAML format; raise PlanFileError with a Dutch message if invalid."""
    try:
        data = yaml.safe_load(source)
    except yaml.YAMLError as error:
        raise PlanFileError(f"geen geldige YAML: {error}") from None
    if not isinstance(data, dict):
        raise PlanFileError("het bestand bevat geen jaarplan (verwacht: een YAML-mapping)")
    if data.get("format") != FORMAT:
        raise PlanFileError(f"onbekend formaat {data.get('format')!r}; verwacht {FORMAT!r}")
    network = data.get("network") or {}
    plan = data.get("plan") or {}
    if not isinstance(network, dict) or not isinstance(plan, dict):
        raise PlanFileError("'network' en 'plan' moeten mappings zijn")
    year_value = plan.get("year")
    if not isinstance(year_value, int | str) or not str(year_value).strip().isdigit():
        raise PlanFileError("plan: 'year' moet een jaartal zijn")
    year = int(year_value)
    workgroups = tuple(
        WorkgroupSpec(_text(w, "name", f"werkgroep {i + 1}", True), _text(w, "email", "werkgroep"))
        for i, w in enumerate(_list(data, "workgroups"))
    )
    known = {w.name for w in workgroups}
    activities: list[PlannedActivity] = []
    for t_index, theme in enumerate(_list(data, "themes")):
        theme_name = _text(theme, "name", f"thema {t_index + 1}", True)
        for a_index, item in enumerate(_list(theme, "activities")):
            where = f"{theme_name}, activiteit {a_index + 1}"
            groups = item.get("workgroups") or []
            if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
                raise PlanFileError(f"{where}: 'workgroups' moet een lijst namen zijn")
            unknown = [g for g in groups if g not in known]
            if unknown:
                raise PlanFileError(f"{where}: onbekende werkgroep(en): {', '.join(unknown)}")
            carried = item.get("carried_from_year")
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
                    carried_from_year=int(carried) if carried else None,
                )
            )
    titles = [a.title for a in activities]
    duplicates = sorted({t for t in titles if titles.count(t) > 1})
    if duplicates:
        raise PlanFileError(f"activiteiten met dezelfde titel: {', '.join(duplicates)}")
    return PlanDocument(
        network_slug=_text(network, "slug", "network", True),
        network_name=_text(network, "name", "network", True),
        plan_slug=_text(plan, "slug", "plan", True),
        year=year,
        title=_text(plan, "title", "plan", True),
        motto=_text(plan, "motto", "plan"),
        introduction=_text(plan, "introduction", "plan"),
        workgroups=workgroups,
        activities=tuple(activities),
    )


def _list(mapping: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = mapping.get(key) or []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise PlanFileError(f"'{key}' moet een lijst van mappings zijn")
    return value
