"""The admin's audit trail as people read it: Dutch sentences with today's names and titles
(entries keep ids only), times in Amsterdam, filters by person, kind and period, and CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_datetime
from flask_babel import gettext as _
from sqlmodel import Session, col, select

from tracker.models import Network, Plan, User, Workgroup
from tracker.reports.period import start_of_day
from tracker.security import audit, erasure
from tracker.security.audit import AuditKind
from tracker.security.models import AuditEntry
from tracker.spreadsheet_cells import csv_field

PAGE_LIMIT = 500
CSV_LIMIT = 100_000


def kind_labels() -> dict[str, str]:
    return {
        AuditKind.SIGNED_IN: _("signed in"),
        AuditKind.LOGIN_FAILED: _("failed login"),
        AuditKind.ACCOUNT_LOCKED: _("account locked"),
        AuditKind.LOGIN_THROTTLED: _("too many login attempts (429)"),
        AuditKind.ACCESS_REFUSED: _("access refused"),
        AuditKind.ROLE_CHANGED: _("role changed"),
        AuditKind.NETWORK_ADDED: _("network added"),
        AuditKind.WORKGROUP_ADDED: _("workgroup added"),
        AuditKind.PERSON_CREATED: _("person added"),
        AuditKind.MEMBERSHIP_ADDED: _("added to a workgroup"),
        AuditKind.MEMBERSHIP_REMOVED: _("removed from a workgroup"),
        AuditKind.EXPORT: _("export"),
        AuditKind.PASSWORD_CHANGED: _("password changed"),
        AuditKind.PASSWORD_RESET_REQUESTED: _("password reset requested"),
        AuditKind.PASSWORD_RESET: _("password reset"),
        AuditKind.DEACTIVATED: _("deactivated"),
        AuditKind.REACTIVATED: _("activated"),
        AuditKind.PERSON_ERASED: _("person erased"),
        AuditKind.TOKEN_CREATED: _("API token created"),
        AuditKind.INVITATION_SENT: _("invitation sent"),
        AuditKind.INVITATION_ACCEPTED: _("invitation accepted"),
    }


def _template(entry: AuditEntry, fields: Mapping[str, str]) -> str | None:
    """The sentence for an entry, or None when its detail lacks what the sentence needs
    (an entry written before details held ids) or its kind has no sentence."""
    kind, reason, data = entry.kind, fields.get("reason"), fields.get("data")
    unknown = entry.subject_id is None
    needs = {
        AuditKind.ROLE_CHANGED: ("network", "role"),
        AuditKind.NETWORK_ADDED: ("network",),
        AuditKind.WORKGROUP_ADDED: ("workgroup",),
        AuditKind.MEMBERSHIP_ADDED: ("workgroup",),
        AuditKind.MEMBERSHIP_REMOVED: ("workgroup",),
        AuditKind.ACCESS_REFUSED: ("method", "path"),
        AuditKind.EXPORT: () if data else ("plan", "period", "format"),
    }.get(AuditKind(kind), ())
    if any(key not in fields for key in needs):
        return None
    sentences = {
        AuditKind.SIGNED_IN: _("%(actor)s signed in"),
        AuditKind.LOGIN_FAILED: (
            _("Failed login with an unknown address")
            if unknown
            else _("Failed login for %(subject)s (account locked)")
            if reason == "locked"
            else _("Failed login for %(subject)s (account deactivated)")
            if reason == "inactive"
            else _("Failed login for %(subject)s")
        ),
        AuditKind.ACCOUNT_LOCKED: (
            _("Account of %(subject)s locked after %(failures)s failed logins")
            if "failures" in fields
            else _("Account of %(subject)s locked")
        ),
        AuditKind.LOGIN_THROTTLED: _("Too many login attempts from one address"),
        AuditKind.ACCESS_REFUSED: _("%(actor)s was refused %(method)s %(path)s"),
        AuditKind.ROLE_CHANGED: _(
            "Role of %(subject)s in %(network)s set to %(role)s by %(actor)s"
        ),
        AuditKind.NETWORK_ADDED: _("%(network)s added as a network by %(actor)s"),
        AuditKind.WORKGROUP_ADDED: _(
            "%(workgroup)s added as a workgroup of %(network)s by %(actor)s"
        ),
        AuditKind.PERSON_CREATED: (
            _("%(subject)s added as administrator by %(actor)s")
            if "admin" in fields
            else _("%(subject)s added by %(actor)s")
        ),
        AuditKind.MEMBERSHIP_ADDED: _("%(subject)s added to %(workgroup)s by %(actor)s"),
        AuditKind.MEMBERSHIP_REMOVED: _("%(subject)s removed from %(workgroup)s by %(actor)s"),
        AuditKind.EXPORT: (
            _("Personal data of %(subject)s downloaded by %(actor)s")
            if data
            else _("Report of %(plan)s for %(period)s (%(format)s) downloaded by %(actor)s")
        ),
        AuditKind.PASSWORD_CHANGED: _("%(subject)s changed their password"),
        AuditKind.PASSWORD_RESET_REQUESTED: (
            _("Password reset requested for an unknown address")
            if unknown
            else _("Password reset requested for %(subject)s")
        ),
        AuditKind.PASSWORD_RESET: _("%(subject)s chose a new password with a reset link"),
        AuditKind.INVITATION_SENT: (
            _("%(subject)s invited by %(actor)s (already had an account)")
            if "existing" in fields
            else _("%(subject)s invited by %(actor)s")
        ),
        AuditKind.INVITATION_ACCEPTED: _("%(subject)s accepted the invitation"),
        AuditKind.DEACTIVATED: _("%(subject)s deactivated by %(actor)s"),
        AuditKind.REACTIVATED: _("%(subject)s activated by %(actor)s"),
        AuditKind.PERSON_ERASED: _("Personal data of %(subject)s erased by %(actor)s"),
        AuditKind.TOKEN_CREATED: _("API token created for %(subject)s by %(actor)s"),
    }
    return sentences.get(AuditKind(kind))


@dataclass(frozen=True)
class Line:
    entry: AuditEntry
    kind: str
    sentence: str
    actor: str
    subject: str


class Names:
    """Today's names of the people, workgroups, networks and plans the entries refer to."""

    def __init__(self, session: Session, entries: Sequence[AuditEntry]) -> None:
        fields = [audit.parse(e.detail) for e in entries]

        def ids(key: str) -> set[int]:
            return {int(f[key]) for f in fields if f.get(key, "").isdigit()}

        user_ids = {i for e in entries for i in (e.actor_id, e.subject_id) if i is not None}
        users = session.exec(select(User).where(col(User.id).in_(user_ids))).all()
        self.people = {u.id: u.name for u in users if not erasure.is_erased(u)}
        groups = session.exec(select(Workgroup).where(col(Workgroup.id).in_(ids("workgroup"))))
        self.workgroups = {w.id: w for w in groups}
        network_ids = ids("network") | {w.network_id for w in self.workgroups.values()}
        networks = session.exec(select(Network).where(col(Network.id).in_(network_ids)))
        self.networks = {n.id: n.name for n in networks}
        plans = session.exec(select(Plan).where(col(Plan.id).in_(ids("plan"))))
        self.plans = {p.id: p.title for p in plans}

    def person(self, user_id: int | None) -> str:
        if user_id is None:
            return ""
        return self.people.get(user_id) or _("deleted user")

    @staticmethod
    def _get(table: Mapping[int | None, str], value: str | None, missing: str) -> str:
        return table.get(int(value), missing) if value and value.isdigit() else missing

    def values(
        self, entry: AuditEntry, fields: Mapping[str, str], roles: Mapping[str, str]
    ) -> dict[str, str]:
        group_id = fields.get("workgroup", "")
        workgroup = self.workgroups.get(int(group_id)) if group_id.isdigit() else None
        network = fields.get("network") or (str(workgroup.network_id) if workgroup else None)
        nobody = (
            _("someone not signed in")
            if entry.kind == AuditKind.ACCESS_REFUSED
            else _("the command line")
        )
        return {
            **fields,
            "actor": self.person(entry.actor_id) or nobody,
            "subject": self.person(entry.subject_id),
            "workgroup": workgroup.name if workgroup else _("a deleted workgroup"),
            "network": self._get(self.networks, network, _("a deleted network")),
            "plan": self._get(self.plans, fields.get("plan"), _("a deleted plan")),
            "role": roles.get(fields.get("role", ""), fields.get("role", "")),
        }


def lines(session: Session, entries: Sequence[AuditEntry], roles: Mapping[str, str]) -> list[Line]:
    """Each entry as a sentence; an older free-text entry as its kind and its text."""
    names, labels = Names(session, entries), kind_labels()
    result = []
    for entry in entries:
        fields = audit.parse(entry.detail)
        label = labels.get(entry.kind, entry.kind)
        template = _template(entry, fields) if entry.kind in labels else None
        if template is None:
            sentence = f"{label}: {entry.detail}" if entry.detail else label
        else:
            sentence = template % names.values(entry, fields, roles)
        actor, subject = names.person(entry.actor_id), names.person(entry.subject_id)
        result.append(Line(entry, label, sentence, actor, subject))
    return result


@dataclass(frozen=True)
class Filters:
    """The page's filters from the query string (?persoon=…&soort=…&van=…&tot=…)."""

    person: int | None
    kind: str | None
    start: date | None
    end: date | None
    errors: tuple[str, ...]

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> Filters:
        errors = []
        person_text = args.get("persoon", "").strip()
        person = int(person_text) if person_text.isdigit() and len(person_text) < 10 else None
        if person_text and person is None:
            errors.append(_("Choose a person from the list."))
        kind = args.get("soort", "").strip() or None
        if kind and kind not in kind_labels():
            errors.append(_("Choose a kind from the list."))
            kind = None
        start = _day(args.get("van", ""), _("From"), errors)
        end = _day(args.get("tot", ""), _("Up to"), errors)
        if start and end and start > end:
            errors.append(_("The start date lies after the end date."))
        return cls(person, kind, start, end, tuple(errors))

    def entries(self, session: Session, limit: int) -> Sequence[AuditEntry]:
        """The entries these filters select, newest first (none while a filter is wrong)."""
        if self.errors:
            return []
        return audit.latest(
            session,
            limit=limit,
            kind=self.kind,
            user_id=self.person,
            since=start_of_day(self.start) if self.start else None,
            before=start_of_day(self.end + timedelta(days=1)) if self.end else None,
        )


def _day(text: str, field: str, errors: list[str]) -> date | None:
    """A date typed as yyyy-mm-dd (days in Amsterdam), or None with a message."""
    text = text.strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        day = None
    if day is None or not 1900 <= day.year <= 2999:
        errors.append(_("%(field)s: give a date as yyyy-mm-dd.", field=field))
        return None
    return day


def when(line: Line) -> str:
    return format_datetime(line.entry.at, "yyyy-MM-dd HH:mm:ss")


def render_csv(rows: Sequence[Line]) -> bytes:
    """The lines as a CSV: UTF-8 with BOM and ';' like the report CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    header = [_("When"), _("Kind"), _("What"), _("By"), _("Concerning"), _("Address")]
    writer.writerow([csv_field(value) for value in header])
    for line in rows:
        cells = [when(line), line.kind, line.sentence, line.actor, line.subject]
        writer.writerow([csv_field(value) for value in [*cells, line.entry.address]])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
