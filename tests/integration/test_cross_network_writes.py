"""No write crosses networks: every write operation × every outsider × a target in another network.

Network "testnet" is the target. The people acting hold roles only in "andernet" (a member,
the board, the coordinator), or are not signed in. Every write operation of the app (each
page form, each API operation, each CLI command that takes a network, a plan or a plan file)
is tried on testnet's objects:

- it is refused, and the answer is the one for an object that does not exist (a refusal says
  nothing about what exists in another network);
- nothing is written: every table and the event log are unchanged;
- testnet's reminders list the same activities to the same recipients.

Each operation is also run once by someone who may (testnet's coordinator, an admin, the
operator at the command line): it must then change the database, so a refusal above is a
refusal and not a malformed request. A write operation added to the app without a row here
fails `test_every_write_operation_is_enumerated`.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import select

from reminders.periods import Period, ReminderKind, Run
from reminders.service import reminders_of
from tests.integration.test_import_mapping_web import MAPPED, mapping_form
from tests.plan_files import an_unrecognised_docx
from tests.support import PASSWORD, World, build_world, login, token_for
from tracker import accounts
from tracker.domain.access import Role
from tracker.models import BudgetItem, Network, Plan, Workgroup
from tracker.planfile import dump_plan_yaml, read_plan_yaml
from tracker.reminder_models import OutboxMessage, OutboxStatus

FIXTURES = Path(__file__).parent.parent / "fixtures"
OUTSIDERS = ("anonymous", "b_member", "b_board", "b_coordinator")
GHOST_ACTIVITY = "00000000-0000-0000-0000-000000000000"
GHOST_DRAFT = "00000000-0000-0000-0000-000000000000"
GHOST_ID = 999_999  # a workgroup that does not exist
# Sign-in bookkeeping (last sign-in, failure counters) is not what the operations write.
NOT_COMPARED = {"login_counter", "account_security"}


@dataclass
class Ctx:
    """A world with two networks and what an operation needs prepared in testnet."""

    app: Flask
    world: World
    draft_id: str = ""  # an import draft of testnet's coordinator, waiting for review
    failed_mail_id: int = 0  # an undelivered reminder of testnet
    b_network_id: int = 0
    b_workgroup_id: int = 0
    a_workgroup_id: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    clients: dict[str, FlaskClient] = field(default_factory=dict)
    tokens: dict[str, dict[str, str]] = field(default_factory=dict)

    def client(self, role: str) -> FlaskClient:
        """The role's browser, signed in once (signing in writes its own audit entry)."""
        if role not in self.clients:
            client = self.app.test_client()
            if role not in ("anonymous", "operator"):
                login(client, self.world.emails[role])
            self.clients[role] = client
        return self.clients[role]

    def api_headers(self, role: str) -> dict[str, str]:
        if role not in self.tokens:
            anonymous = role in ("anonymous", "operator")
            self.tokens[role] = {} if anonymous else token_for(self.app, self.world, role)
        return self.tokens[role]

    def sign_in(self, role: str) -> None:
        """Everything signing in writes, done before the database is looked at."""
        self.client(role)
        self.api_headers(role)


Attempt = Callable[[Ctx, str, bool], tuple[int, str]]
"""(ctx, role, ghost) → (status code, answer text). With ghost=True the same request aims at
an object that does not exist."""


@dataclass(frozen=True)
class WriteOp:
    name: str
    endpoint: str  # a Flask endpoint, or "cli:<command>"
    attempt: Attempt
    allowed: str  # who runs the control: a role of the world, or "operator" (the CLI)
    ghost: bool = True  # the answer must equal the one for an object that does not exist
    control: Attempt | None = None  # the allowed request, when it differs from `attempt`
    writes_own_network: bool = False  # andernet's coordinator may store it, in andernet

    def run_control(self, ctx: Ctx) -> tuple[int, str]:
        return (self.control or self.attempt)(ctx, self.allowed, False)


def _answer(response: Any) -> tuple[int, str]:
    return response.status_code, response.get_data(as_text=True)


def page_post(path: Callable[[Ctx, bool], str], data: Callable[[Ctx], dict[str, Any]]) -> Attempt:
    def attempt(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
        return _answer(ctx.client(role).post(path(ctx, ghost), data=data(ctx)))

    return attempt


def api_post(
    path: Callable[[Ctx, bool], str],
    body: Callable[[Ctx], dict[str, Any]],
    method: str = "POST",
) -> Attempt:
    def attempt(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
        response = ctx.app.test_client().open(
            path(ctx, ghost), method=method, json=body(ctx), headers=ctx.api_headers(role)
        )
        return _answer(response)

    return attempt


def make_plan(
    network: Callable[[Ctx, bool], str], copy_from: Callable[[Ctx, bool], str | None]
) -> Attempt:
    """Make a network's plan of 2022, from the plan `copy_from` names if any (API)."""

    def attempt(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
        body = {"network": network(ctx, ghost), "year": 2022, "title": "Jaarplan 2022"}
        source = copy_from(ctx, ghost)
        response = ctx.app.test_client().post(
            "/api/v1/plans",
            json=body if source is None else body | {"copy_from": source},
            headers=ctx.api_headers(role),
        )
        return _answer(response)

    return attempt


def reopen_withdrawn(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
    """The control of a reopening: testnet's coordinator withdraws the activity, then
    reopens it (the answer is the reopening's)."""
    withdraw = api_post(lambda c, g: f"/api/v1/activities/{activity(c, g)}/withdraw", _withdrawal)
    assert withdraw(ctx, role, ghost)[0] == 200
    reopen = {"reason": "toch", "expected_version": 2}
    return api_post(lambda c, g: f"/api/v1/activities/{activity(c, g)}/reopen", lambda c: reopen)(
        ctx, role, ghost
    )


def _withdrawal(ctx: Ctx) -> dict[str, Any]:
    return {"reason": "dubbel", "expected_version": 1}


def cli(args: Callable[[Path], list[str]]) -> Attempt:
    """A CLI command. The shell is the operator's, who has every right: what it must refuse
    is input naming an object of another network than the one the command was given."""

    def attempt(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
        tmp = Path(ctx.app.instance_path)
        result = ctx.app.test_cli_runner().invoke(args=args(tmp), input=PASSWORD + "\n")
        return result.exit_code, result.output

    return attempt


def activity(ctx: Ctx, ghost: bool) -> str:
    return GHOST_ACTIVITY if ghost else ctx.world.activity_id


def draft(ctx: Ctx, ghost: bool) -> str:
    return GHOST_DRAFT if ghost else ctx.draft_id


def a_plan(ctx: Ctx, ghost: bool) -> str:
    return "geen-plan-2021" if ghost else ctx.world.plan_slug


def _yaml(network_slug: str, plan_slug: str, title_suffix: str = "", year: int = 2021) -> bytes:
    document = read_plan_yaml((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
    network_name = "Ander Netwerk" if network_slug == "andernet" else document.network_name
    activities = tuple(
        replace(a, title=a.title + title_suffix, targets=()) for a in document.activities
    )
    document = replace(
        document,
        network_slug=network_slug,
        network_name=network_name,
        plan_slug=plan_slug,
        year=year,
        activities=activities,
    )
    return dump_plan_yaml(document).encode("utf-8")


def _upload(client: FlaskClient, network_id: int, data: bytes, name: str) -> Any:
    return client.post(
        "/plannen/importeren/",
        data={"network_id": str(network_id), "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def upload_for_testnet(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
    """Upload a plan for testnet's network (ghost: for a network that does not exist)."""
    network_id = 999_999 if ghost else ctx.world.network_id
    data = _yaml("testnet", "testnet-2021", " (nieuw)")
    return _answer(_upload(ctx.client(role), network_id, data, "plan.yaml"))


def import_naming_testnet_plan(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
    """Upload to one's own network a plan file that names testnet's plan, then confirm it."""
    client = ctx.client(role)
    plan_slug = "geen-plan-2021" if ghost else ctx.world.plan_slug
    data = _yaml("andernet", plan_slug, " (b)", year=2022)
    response = _upload(client, ctx.b_network_id, data, "b.yaml")
    location = urlsplit(response.headers.get("Location", "")).path
    if response.status_code != 302 or not location.startswith("/plannen/importeren/"):
        return _answer(response)
    return _answer(client.post(response.headers["Location"], data=_review(" (b)")))


def revise_naming_testnet_plan(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
    """Upload to one's own network a revision of its plan in a file that names testnet's
    plan, then confirm the comparison as the page shows it."""
    client = ctx.client(role)
    plan_slug = "geen-plan-2021" if ghost else ctx.world.plan_slug
    response = _upload(client, ctx.b_network_id, _yaml("andernet", plan_slug, " (b)"), "b.yaml")
    location = urlsplit(response.headers.get("Location", "")).path
    if response.status_code != 302 or not location.startswith("/plannen/importeren/"):
        return _answer(response)
    return _answer(client.post(location, data=revision_form(client, location)))


def revision_form(client: FlaskClient, url: str) -> dict[str, str]:
    """A revision review's form as its page sends it back: the versions it showed and each
    "paired with" choice as proposed."""
    page = client.get(url).get_data(as_text=True)
    seen = re.search(r'name="seen" value="([^"]*)"', page)
    assert seen, page[:500]
    data = {"seen": html.unescape(seen.group(1))}
    for select_ in re.finditer(r'<select id="(pair-\d+)".*?</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', select_.group(0))
        data[select_.group(1)] = chosen.group(1) if chosen else ""
    return data


def _review(suffix: str) -> dict[str, str]:
    """The review form as a coordinator sends it back: every activity kept, unchanged."""
    document = read_plan_yaml((FIXTURES / "mini-plan.yaml").read_text(encoding="utf-8"))
    data = {}
    for i, item in enumerate(document.activities):
        data[f"keep-{i}"] = "on"
        data[f"title-{i}"] = item.title + suffix
        data[f"theme-{i}"] = item.theme
        data[f"wanneer-{i}"] = item.wanneer
    return data


def carry_over_into_testnet(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
    """Carry one's own plan over, into testnet's plan (ghost: a plan that does not exist)."""
    target = "geen-plan-2022" if ghost else ctx.world.plan_slug
    return _carry_over_andernet(ctx, role, {"target": target})


def carry_over_andernet(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
    """andernet's carry-over into its own next plan, as the form proposes it."""
    return _carry_over_andernet(ctx, role, {"target": ""})


def _carry_over_andernet(ctx: Ctx, role: str, extra: dict[str, str]) -> tuple[int, str]:
    data = {"reason": "COVID-19", "activities": ctx.extra["b_open"], **extra}
    return _answer(
        ctx.client(role).post(f"/plannen/{ctx.world.other_plan_slug}/jaarovergang", data=data)
    )


def report_download(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
    """Downloading a report records an export in the audit trail (a write on a GET)."""
    slug = a_plan(ctx, ghost)
    return _answer(ctx.client(role).get(f"/plannen/{slug}/rapportage?period=2021Q2&format=csv"))


EDIT = {"title": "Algemeen bestuursoverleg", "theme": "Coördinatie", "wanneer": "1e kwartaal"}
EDIT |= {"workgroups": [], "position": "0", "version": "1"}
WITHDRAW = {"reason": "Dubbel", "version": "1"}
ADD = {"title": "Nieuwe activiteit", "theme": "Coördinatie", "wanneer": "2e kwartaal"}


def withdrawn(ctx: Ctx, ghost: bool) -> str:
    """An activity of testnet its coordinator took out of the plan (to be reopened)."""
    return GHOST_ACTIVITY if ghost else ctx.world.pr_activity_id


def _new_plan(ctx: Ctx, role: str, network_id: int, copy_from: int | None) -> tuple[int, str]:
    data = {"network_id": str(network_id), "year": "2023", "title": "Jaarplan 2023"}
    data |= {"themes": "Coördinatie", "copy_from": "" if copy_from is None else str(copy_from)}
    return _answer(ctx.client(role).post("/plannen/nieuw-jaarplan", data=data))


def new_plan_in_testnet(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
    """A new plan in testnet (ghost: in a network that does not exist)."""
    return _new_plan(ctx, role, 999_999 if ghost else ctx.world.network_id, None)


def copy_testnet_plan(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
    """A new plan in one's own network, as a copy of testnet's plan (ghost: of no plan)."""
    return _new_plan(ctx, role, ctx.b_network_id, 999_999 if ghost else ctx.extra["a_plan_id"])


def copy_andernet_plan(ctx: Ctx, role: str, ghost: bool) -> tuple[int, str]:
    return _new_plan(ctx, role, ctx.b_network_id, ctx.extra["b_plan_id"])


NEW_MEMBER = ["create-user", "nieuw@example.org", "--name", "Nieuw", "--role", "member"]
NEW_MEMBER += ["--network", "andernet"]
ONLY_IN_TESTNET = "Werkgroep alleen in testnet"
STATUS = {"status": "lopend", "note": "gestart", "version": "1"}
STATUS_JSON = {"status": "lopend", "note": "gestart", "expected_version": 1}
PROGRESS = {"indicator_id": "1", "value": "2", "version": "1"}
PROGRESS_JSON = {"target_id": 1, "value": 2, "expected_version": 1}

OPERATIONS = [
    WriteOp(
        "status update (page)",
        "activities.update_status",
        page_post(lambda c, g: f"/activiteiten/{activity(c, g)}/status", lambda c: STATUS),
        allowed="coordinator",
    ),
    WriteOp(
        "target progress (page)",
        "activities.record_target_progress",
        page_post(lambda c, g: f"/activiteiten/{activity(c, g)}/voortgang", lambda c: PROGRESS),
        allowed="coordinator",
    ),
    WriteOp(
        "status update (API)",
        "api.change_status",
        api_post(lambda c, g: f"/api/v1/activities/{activity(c, g)}/status", lambda c: STATUS_JSON),
        allowed="coordinator",
    ),
    WriteOp(
        "target progress (API)",
        "api.record_target_progress",
        api_post(
            lambda c, g: f"/api/v1/activities/{activity(c, g)}/progress", lambda c: PROGRESS_JSON
        ),
        allowed="coordinator",
    ),
    WriteOp(
        "change an activity (page)",
        "plan_changes.edit_activity",
        page_post(lambda c, g: f"/activiteiten/{activity(c, g)}/wijzigen", lambda c: EDIT),
        allowed="coordinator",
    ),
    WriteOp(
        "withdraw an activity (page)",
        "plan_changes.withdraw_activity",
        page_post(
            lambda c, g: f"/activiteiten/{activity(c, g)}/laten-vervallen", lambda c: WITHDRAW
        ),
        allowed="coordinator",
    ),
    WriteOp(
        "reopen a withdrawn activity (page)",
        "plan_changes.reopen_activity",
        page_post(
            lambda c, g: f"/activiteiten/{withdrawn(c, g)}/heropenen",
            lambda c: {"status": "lopend", "reason": "Toch nodig", "version": "2"},
        ),
        allowed="coordinator",
    ),
    WriteOp(
        "add an activity to testnet's plan",
        "plan_changes.add_activity",
        page_post(lambda c, g: f"/plannen/{a_plan(c, g)}/activiteit-toevoegen", lambda c: ADD),
        allowed="coordinator",
    ),
    WriteOp(
        "rename a theme of testnet's plan",
        "plan_changes.rename_theme",
        page_post(
            lambda c, g: f"/plannen/{a_plan(c, g)}/thema-hernoemen",
            lambda c: {"theme": "Informeren", "new_name": "Communicatie"},
        ),
        allowed="coordinator",
    ),
    WriteOp("make a plan in testnet", "plan_changes.new_plan", new_plan_in_testnet, "coordinator"),
    WriteOp(
        "make a plan in andernet copying testnet's plan",
        "plan_changes.new_plan",
        copy_testnet_plan,
        allowed="other_coordinator",
        control=copy_andernet_plan,
    ),
    WriteOp(
        "add an activity to testnet's plan (API)",
        "api.add_plan_activity",
        api_post(
            lambda c, g: f"/api/v1/plans/{a_plan(c, g)}/activities",
            lambda c: {"title": "Nieuw", "theme": "Scholing", "workgroups": ["Werkgroep beleid"]},
        ),
        allowed="coordinator",
    ),
    WriteOp(
        "amend testnet's activity (API)",
        "api.amend",
        api_post(
            lambda c, g: f"/api/v1/activities/{activity(c, g)}",
            lambda c: {"title": "Nieuw", "workgroups": ["Werkgroep beleid"], "expected_version": 1},
            method="PATCH",
        ),
        allowed="coordinator",
    ),
    WriteOp(
        "withdraw testnet's activity (API)",
        "api.withdraw",
        api_post(lambda c, g: f"/api/v1/activities/{activity(c, g)}/withdraw", _withdrawal),
        allowed="coordinator",
    ),
    WriteOp(
        "reopen testnet's activity (API)",
        "api.reopen",
        api_post(
            lambda c, g: f"/api/v1/activities/{activity(c, g)}/reopen",
            lambda c: {"reason": "toch", "expected_version": 1},
        ),
        allowed="coordinator",
        control=reopen_withdrawn,
    ),
    WriteOp(
        "rename a theme of testnet's plan (API)",
        "api.rename_plan_theme",
        api_post(
            lambda c, g: f"/api/v1/plans/{a_plan(c, g)}/themes/rename",
            lambda c: {"theme": "Coördinatie", "new_name": "Bestuur"},
        ),
        allowed="coordinator",
    ),
    WriteOp(
        "make testnet's plan of a year (API)",
        "api.add_plan",
        make_plan(lambda c, g: "geen-netwerk" if g else "testnet", lambda c, g: None),
        allowed="coordinator",
    ),
    WriteOp(
        "make one's own plan from testnet's plan (API)",
        "api.add_plan",
        make_plan(lambda c, g: "andernet", a_plan),
        allowed="other_coordinator",
        control=make_plan(lambda c, g: "andernet", lambda c, g: c.world.other_plan_slug),
    ),
    WriteOp("upload a plan for testnet", "imports.upload", upload_for_testnet, "coordinator"),
    WriteOp(
        "import a file naming testnet's plan",
        "imports.upload",
        import_naming_testnet_plan,
        allowed="other_coordinator",
        writes_own_network=True,
    ),
    WriteOp(
        "confirm testnet's import draft",
        "imports.review",
        page_post(lambda c, g: f"/plannen/importeren/{draft(c, g)}", lambda c: _review(" (nieuw)")),
        allowed="coordinator",
    ),
    WriteOp(
        "confirm testnet's revision draft",
        "imports.review",
        page_post(
            lambda c, g: f"/plannen/importeren/{GHOST_DRAFT if g else c.extra['revision_draft']}",
            lambda c: c.extra["revision_form"],
        ),
        allowed="coordinator",
    ),
    WriteOp(
        "revise one's own plan with a file naming testnet's plan",
        "imports.review",
        revise_naming_testnet_plan,
        allowed="other_coordinator",
        writes_own_network=True,
    ),
    WriteOp(
        "map the layout of testnet's import draft",
        "imports.mapping",
        page_post(
            lambda c, g: (
                f"/plannen/importeren/{GHOST_DRAFT if g else c.extra['mapping_draft']}/indeling"
            ),
            lambda c: c.extra["mapping_form"],
        ),
        allowed="coordinator",
    ),
    WriteOp(
        "discard testnet's import draft",
        "imports.discard",
        page_post(lambda c, g: f"/plannen/importeren/{draft(c, g)}/verwijderen", lambda c: {}),
        allowed="coordinator",
    ),
    WriteOp(
        "carry testnet's plan over",
        "plans.carry_over",
        page_post(
            lambda c, g: f"/plannen/{a_plan(c, g)}/jaarovergang",
            lambda c: {"target": "", "reason": "COVID-19", "activities": c.extra["a_open"]},
        ),
        allowed="coordinator",
    ),
    WriteOp(
        "carry one's own plan into testnet's plan",
        "plans.carry_over",
        carry_over_into_testnet,
        allowed="other_coordinator",
        control=carry_over_andernet,
    ),
    WriteOp("download testnet's report", "reports.report", report_download, "coordinator"),
    WriteOp(
        "record spending on testnet's budget",
        "budget.page",
        page_post(
            lambda c, g: f"/plannen/{a_plan(c, g)}/begroting",
            lambda c: {"theme": "Informeren", "amount": "1.250,50", "spent_on": "2021-05-03"},
        ),
        allowed="coordinator",
    ),
    WriteOp(
        "close a quarter of testnet's plan",
        "reports.close_quarter",
        page_post(
            lambda c, g: f"/plannen/{a_plan(c, g)}/rapportage/vaststellen",
            lambda c: {"period": "2021Q1"},
        ),
        allowed="coordinator",
    ),
    WriteOp(
        "coordinator: add a workgroup to testnet",
        "workgroups.index",
        page_post(
            lambda c, g: "/werkgroepen/",
            lambda c: {"network_id": str(c.world.network_id), "name": "Werkgroep nieuw"},
        ),
        allowed="coordinator",
        ghost=False,
    ),
    WriteOp(
        "coordinator: add testnet's board member to a workgroup",
        "workgroups.add_member",
        page_post(
            lambda c, g: f"/werkgroepen/{GHOST_ID if g else c.a_workgroup_id}/leden",
            lambda c: {"user_id": str(c.world.user_ids["board"])},
        ),
        allowed="coordinator",
    ),
    WriteOp(
        "coordinator: remove a member of testnet",
        "workgroups.remove_member",
        page_post(
            lambda c, g: (
                f"/werkgroepen/{GHOST_ID if g else c.a_workgroup_id}"
                f"/leden/{c.world.user_ids['owner_member']}/verwijderen"
            ),
            lambda c: {},
        ),
        allowed="coordinator",
    ),
    WriteOp(
        "invite a person into testnet",
        "invitations.invite",
        page_post(lambda c, g: "/uitnodigen", lambda c: _invitation(c.world.network_id)),
        allowed="coordinator",
        ghost=False,
    ),
    WriteOp(
        "invite a person into andernet and testnet's workgroup",
        "invitations.invite",
        page_post(
            lambda c, g: "/uitnodigen",
            lambda c: _invitation(c.b_network_id, workgroup_ids=str(c.a_workgroup_id)),
        ),
        allowed="coordinator",
        ghost=False,
        control=page_post(
            lambda c, g: "/uitnodigen",
            lambda c: _invitation(c.world.network_id, workgroup_ids=str(c.a_workgroup_id)),
        ),
    ),
    WriteOp(
        "admin: add a network",
        "admin.networks",
        page_post(lambda c, g: "/beheer/netwerken", lambda c: {"slug": "nieuw", "name": "Nieuw"}),
        allowed="admin",
        ghost=False,
    ),
    WriteOp(
        "admin: give oneself a role in testnet",
        "admin.user",
        page_post(
            lambda c, g: f"/beheer/gebruikers/{c.world.user_ids['b_member']}",
            lambda c: {
                "role-network_id": str(c.world.network_id),
                "role-role": "coordinator",
                "role-submit": "1",
            },
        ),
        allowed="admin",
        ghost=False,
    ),
    WriteOp(
        "admin: add testnet's board member to a workgroup",
        "admin.user",
        page_post(
            lambda c, g: f"/beheer/gebruikers/{c.world.user_ids['board']}",
            lambda c: {"member-workgroup_id": str(c.a_workgroup_id), "member-submit": "1"},
        ),
        allowed="admin",
        ghost=False,
    ),
    WriteOp(
        "admin: deactivate testnet's coordinator",
        "admin.set_active",
        page_post(
            lambda c, g: f"/beheer/gebruikers/{c.world.user_ids['coordinator']}/actief",
            lambda c: {},
        ),
        allowed="admin",
        ghost=False,
    ),
    WriteOp(
        "admin: erase testnet's board member",
        "admin.erase",
        page_post(
            lambda c, g: f"/beheer/gebruikers/{c.world.user_ids['board']}/wissen",
            lambda c: {"confirm": "y"},
        ),
        allowed="admin",
        ghost=False,
    ),
    WriteOp(
        "admin: resend testnet's undelivered reminder",
        "reminders.resend",
        page_post(lambda c, g: f"/beheer/herinneringen/{c.failed_mail_id}/opnieuw", lambda c: {}),
        allowed="admin",
        ghost=False,
    ),
    WriteOp(
        "make the calendar address of testnet's workgroup",
        "feeds.renew_workgroup",
        page_post(
            lambda c, g: f"/profiel/agenda/werkgroepen/{999_999 if g else c.a_workgroup_id}",
            lambda c: {},
        ),
        allowed="coordinator",
    ),
    # The command line is the operator's: what it must refuse is input that names an object
    # of another network than the one the command was given.
    WriteOp(
        "import-plan into andernet of a file naming testnet",
        "cli:import-plan",
        cli(
            lambda tmp: ["import-plan", _file(tmp, _yaml("testnet", "x")), "--network", "andernet"]
        ),
        allowed="operator",
        ghost=False,
        control=cli(
            lambda tmp: [
                "import-plan",
                _file(tmp, _yaml("andernet", "andernet-2021", " (c)")),
                "--network",
                "andernet",
            ]
        ),
    ),
    WriteOp(
        "import-plan into andernet of a file naming testnet's plan",
        "cli:import-plan",
        cli(
            lambda tmp: [
                "import-plan",
                _file(tmp, _yaml("andernet", "testnet-2021", " (b)")),
                "--network",
                "andernet",
            ]
        ),
        allowed="operator",
        ghost=False,
        writes_own_network=True,
    ),
    WriteOp(
        "load-plan of andernet naming testnet's plan",
        "cli:load-plan",
        cli(lambda tmp: ["load-plan", _file(tmp, _yaml("andernet", "testnet-2021", " (b)"))]),
        allowed="operator",
        ghost=False,
        writes_own_network=True,
    ),
    WriteOp(
        "carry-over from andernet into testnet's plan",
        "cli:carry-over",
        cli(
            lambda tmp: [
                "carry-over",
                *("--from", "andernet-2021", "--to", "testnet-2021", "--reason", "COVID-19"),
            ]
        ),
        allowed="operator",
        ghost=False,
        control=cli(lambda tmp: ["carry-over", "--from", "andernet-2021", "--reason", "COVID-19"]),
    ),
    WriteOp(
        "create-user in andernet joining a workgroup of testnet",
        "cli:create-user",
        cli(lambda tmp: [*NEW_MEMBER, "--workgroup", ONLY_IN_TESTNET]),
        allowed="operator",
        ghost=False,
        control=cli(lambda tmp: [*NEW_MEMBER, "--workgroup", "Werkgroep beleid"]),
    ),
]

# Writes that act only on the signed-in person themselves (or on nobody's data in a network),
# so there is no object of another network to aim at; the access matrix covers who may.
PERSONAL_WRITES = {
    "auth.login": "signs in: only the person's own session and sign-in counters",
    "auth.logout": "ends the person's own sessions",
    "auth.change_password": "the person's own password",
    "auth.forgot_password": "mails a link to the address stored for the account",
    "auth.reset_password": "the account named by the single-use link",
    "invitations.accept": "the account named by the single-use link",
    "auth.set_language": "the person's own session",
    "reminders.preferences": "the person's own reminder choices",
    "reminders.confirm_unsubscribe": "the person named by the signed link",
    "feeds.renew_own": "the person's own calendar address",
}
# Commands that name no network, plan or plan file, or act on exactly the one they name
# (there is no second object to smuggle in); the operator has every right at the shell.
OPERATOR_COMMANDS = {
    "init-db": "creates tables",
    "load-demo": "loads the demo network",
    "export-plan": "reads a plan, writes a file",
    "report": "reads a plan or network, writes a file",
    "record-spending": "writes to the one plan it names",
    "create-token": "a token for the person named",
    "export-person": "reads a person",
    "erase-person": "the person named",
    "backup": "copies the database file",
    "check-store": "reads the log",
    "rebuild-projections": "rebuilds read models from the log",
    "reminders": "the reminder process: sends what planning selects, no user input",
}
WRITE_OPERATION_ENDPOINTS = {op.endpoint for op in OPERATIONS}


def _file(tmp: Path, data: bytes) -> str:
    path = tmp / f"plan-{hashlib.sha256(data).hexdigest()[:8]}.yaml"
    path.write_bytes(data)
    return str(path)


def _world(app: Flask) -> Ctx:
    world = build_world(app)
    services = app.extensions["tracker"]
    ctx = Ctx(app, world)
    with services.db.session() as session:
        networks = {n.slug: n for n in session.exec(select(Network))}
        ctx.b_network_id = networks["andernet"].id or 0
        groups = {(w.network_id, w.name): w for w in session.exec(select(Workgroup))}
        ctx.b_workgroup_id = groups[(ctx.b_network_id, "Werkgroep beleid")].id or 0
        ctx.a_workgroup_id = groups[(world.network_id, "Werkgroep beleid")].id or 0
        for role, network_role in (("b_member", Role.MEMBER), ("b_board", Role.BOARD)):
            email = f"{role.replace('_', '.')}@example.org"
            user = accounts.create_user(
                session, services.passwords, email=email, name=role, password=PASSWORD
            )
            assert user.id is not None
            accounts.set_role(session, user.id, ctx.b_network_id, network_role)
            if network_role is Role.MEMBER:
                accounts.add_to_workgroup(session, user.id, ctx.b_workgroup_id)
            world.emails[role] = email
            world.user_ids[role] = user.id
        session.add(Workgroup(network_id=world.network_id, name=ONLY_IN_TESTNET))
        world.emails["b_coordinator"] = world.emails["other_coordinator"]
        world.user_ids["b_coordinator"] = world.user_ids["other_coordinator"]
        mail = OutboxMessage(
            recipient_key="workgroup:test",
            kind="quarterly",
            period="2021Q2",
            recipient_kind="workgroup",
            network_id=world.network_id,
            workgroup_id=ctx.a_workgroup_id,
            subject="Herinnering",
            body_text="tekst",
            body_html="<p>tekst</p>",
            status=OutboxStatus.FAILED,
            next_attempt_at=services.clock.now(),
            created_at=services.clock.now(),
        )
        session.add(mail)
        session.commit()
        ctx.failed_mail_id = mail.id or 0
        plans = {p.slug: p for p in session.exec(select(Plan))}
        for plan in plans.values():  # a budget, as a plan file with one stores it
            session.add(BudgetItem(plan_id=plan.id or 0, theme="Informeren", amount_cents=99_00))
        session.commit()
    from tracker.carry_over import candidates

    ctx.extra["a_plan_id"] = plans["testnet-2021"].id
    ctx.extra["b_plan_id"] = plans["andernet-2021"].id
    withdrawal = ctx.client("coordinator").post(
        f"/activiteiten/{world.pr_activity_id}/laten-vervallen",
        data={"reason": "Dubbel", "version": "1"},
    )
    assert withdrawal.status_code == 302, withdrawal.get_data(as_text=True)[:500]
    with services.db.session() as session:
        for key, slug in (("a_open", "testnet-2021"), ("b_open", "andernet-2021")):
            open_ones = candidates(session, plans[slug], 2022)
            ctx.extra[key] = [candidate.activity.id for candidate in open_ones]
    client = ctx.client("coordinator")
    data = _yaml("testnet", "testnet-2021", " (nieuw)", year=2022)
    response = _upload(client, world.network_id, data, "p.yaml")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    ctx.draft_id = response.headers["Location"].rsplit("/", 1)[-1]
    # A revision of testnet's 2021 plan: the review compares it with the stored plan.
    data = _yaml("testnet", "testnet-2021", " (herzien)")
    response = _upload(client, world.network_id, data, "herzien.yaml")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    location = urlsplit(response.headers["Location"]).path
    ctx.extra["revision_draft"] = location.rsplit("/", 1)[-1]
    ctx.extra["revision_form"] = revision_form(client, location)
    # A Word plan of a layout the importer does not know: its review maps the columns.
    response = _upload(client, world.network_id, an_unrecognised_docx(), "eigen-indeling.docx")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    location = urlsplit(response.headers["Location"]).path
    ctx.extra["mapping_draft"] = location.rsplit("/", 1)[-1]
    page = client.get(location).get_data(as_text=True)
    ctx.extra["mapping_form"] = {**mapping_form(page, MAPPED), "action": "apply"}
    return ctx


def fingerprint(app: Flask) -> dict[str, str]:
    """A digest of every table (rows in a stable order), the event log included."""
    engine = app.extensions["tracker"].db.engine
    metadata = sa.MetaData()
    metadata.reflect(engine)
    digests = {}
    with engine.connect() as connection:
        for name, table in sorted(metadata.tables.items()):
            if name in NOT_COMPARED:
                continue
            query = sa.select(table)
            if name == "audit_entry":  # a refusal is recorded in the audit trail, by design
                query = query.where(table.c.kind != "access_refused")
            rows = connection.execute(query).all()
            text = json.dumps(sorted(repr(tuple(row)) for row in rows))
            digests[name] = hashlib.sha256(text.encode()).hexdigest()[:16]
    return digests


def slice_of_testnet(app: Flask, network_id: int) -> dict[str, list[str]]:
    """Everything that belongs to testnet: its plans, their content, workgroups, roles,
    drafts, mails and the events of its activities."""
    engine = app.extensions["tracker"].db.engine
    plans = "SELECT id FROM plan WHERE network_id = :n"
    activities = f"SELECT id FROM activity WHERE plan_id IN ({plans})"
    groups = "SELECT id FROM workgroup WHERE network_id = :n"
    queries = {
        "plan": "SELECT * FROM plan WHERE network_id = :n",
        "theme": f"SELECT * FROM theme WHERE plan_id IN ({plans})",
        "activity": f"SELECT * FROM activity WHERE plan_id IN ({plans})",
        "activity_state": f"SELECT * FROM activity_state WHERE plan_id IN ({plans})",
        "indicator": f"SELECT * FROM indicator WHERE activity_id IN ({activities})",
        "links": (
            f"SELECT * FROM activityworkgroup WHERE activity_id IN ({activities}) "
            f"OR workgroup_id IN ({groups})"
        ),
        "workgroup": "SELECT * FROM workgroup WHERE network_id = :n",
        "roles": "SELECT * FROM networkrole WHERE network_id = :n",
        "members": f"SELECT * FROM workgroupmember WHERE workgroup_id IN ({groups})",
        "drafts": "SELECT * FROM importdraft WHERE network_id = :n",
        "budget": f"SELECT * FROM budgetitem WHERE plan_id IN ({plans})",
        "mail": "SELECT * FROM reminder_outbox WHERE network_id = :n",
        "events": (
            f"SELECT stream_id, version, type, data FROM events WHERE stream_id IN ({activities})"
        ),
    }
    with engine.connect() as connection:
        return {
            name: sorted(repr(tuple(r)) for r in connection.execute(sa.text(q), {"n": network_id}))
            for name, q in queries.items()
        }


def reminders_of_testnet(app: Flask, network_id: int) -> list[tuple[str, tuple[str, ...]]]:
    """Testnet's quarterly reminders as a run would make them: recipient and activities."""
    planned = reminders_of(app).plan(Run(ReminderKind.QUARTERLY, Period.parse("2021Q4")))
    return sorted(
        (d.recipient_key, d.activity_ids) for d in planned.drafts if d.network_id == network_id
    )


# The access rules do not depend on the database; these cases store plans and events, so
# they also run on PostgreSQL.
ON_BOTH_DATABASES = {
    "make one's own plan from testnet's plan (API)",
    "import a file naming testnet's plan",
    "carry one's own plan into testnet's plan",
    "confirm testnet's import draft",
    "load-plan of andernet naming testnet's plan",
    "carry-over from andernet into testnet's plan",
    "make a plan in andernet copying testnet's plan",
    "close a quarter of testnet's plan",
}


def _invitation(network_id: int, **extra: str) -> dict[str, str]:
    return {
        "name": "Nieuw",
        "email": "nieuw@example.org",
        "network_id": str(network_id),
        "role": "member",
        **extra,
    }


def _cases(only_both: bool = False) -> list[Any]:
    """Each page and API operation for each outsider; each CLI case once (the operator)."""
    return [
        pytest.param(op, role, id=f"{op.name}-{role}")
        for op in OPERATIONS
        if not only_both or op.name in ON_BOTH_DATABASES
        for role in (("operator",) if op.endpoint.startswith("cli:") else OUTSIDERS)
    ]


def _world_of(app: Flask) -> Ctx:
    app.config["LOGIN_ATTEMPTS_PER_MINUTE"] = 1000
    return _world(app)


def _refused(op: WriteOp, role: str, status: int, text: str) -> None:
    if op.endpoint.startswith("cli:"):
        assert status != 0, f"{op.name}: the command succeeded:\n{text}"
    elif role == "anonymous" and not op.endpoint.startswith("api."):
        assert status == 302, (status, text[:300])
    else:
        assert status in (400, 401, 403, 404), (status, text[:300])


@pytest.mark.parametrize(("op", "role"), _cases())
def test_outsiders_cannot_write_into_another_network(app: Flask, op: WriteOp, role: str) -> None:
    _try_as_outsider(_world_of(app), op, role)


@pytest.mark.postgres
@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
@pytest.mark.parametrize(("op", "role"), _cases(only_both=True))
def test_outsiders_cannot_write_into_another_network_on_postgresql(
    backend_app: Flask, op: WriteOp, role: str
) -> None:
    _try_as_outsider(_world_of(backend_app), op, role)


def _try_as_outsider(ctx: Ctx, op: WriteOp, role: str) -> None:
    app, network_id = ctx.app, ctx.world.network_id
    ctx.sign_in(role)
    before = fingerprint(app)
    before_slice = slice_of_testnet(app, network_id)
    before_mail = reminders_of_testnet(app, network_id)
    status, text = op.attempt(ctx, role, False)
    if not (op.writes_own_network and role in ("b_coordinator", "operator")):
        _refused(op, role, status, text)
        assert fingerprint(app) == before, f"{op.name} wrote something"
    assert slice_of_testnet(app, network_id) == before_slice, f"{op.name} changed testnet"
    assert reminders_of_testnet(app, network_id) == before_mail
    if op.ghost:
        ghost_status, ghost_text = op.attempt(ctx, role, True)
        assert status == ghost_status, "the refusal differs from the one for nothing"
        if status not in (200, 302):
            assert _message(text) == _message(ghost_text), "the refusal tells what exists"


def _message(text: str) -> str:
    """The refusal's words (a JSON error's kind, a page's main text)."""
    try:
        body = json.loads(text)
    except ValueError:
        return text.split("<main", 1)[-1].split("</main>", 1)[0]
    return str(body.get("error"))


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_each_operation_writes_when_someone_who_may_runs_it(app: Flask, op: WriteOp) -> None:
    """The control: the request of someone who may changes the database, so the refusals
    above are refusals, not requests that could never have worked."""
    ctx = _world_of(app)
    ctx.sign_in(op.allowed)
    before = fingerprint(ctx.app)
    status, text = op.run_control(ctx)
    assert status in (0, 200, 302), (status, text[:500])
    assert fingerprint(ctx.app) != before, f"{op.name} wrote nothing when allowed"


def test_every_write_operation_is_enumerated(app: Flask) -> None:
    """A route that accepts a write method, or a CLI command, must be listed above: as an
    operation, or as personal or operator-only with a reason."""
    writes = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if rule.methods and rule.methods & {"POST", "PUT", "PATCH", "DELETE"}
    }
    assert writes - WRITE_OPERATION_ENDPOINTS - set(PERSONAL_WRITES) == set()
    commands = {f"cli:{name}" for name in app.cli.commands}
    listed = WRITE_OPERATION_ENDPOINTS | {f"cli:{name}" for name in OPERATOR_COMMANDS}
    assert commands - listed == set()


def test_a_plan_name_taken_in_another_network_does_not_block_a_carry_over(
    backend_app: Flask,
) -> None:
    """The name "andernet-2022" already belongs to a plan of testnet (the operator loaded it
    so): andernet's carry-over still makes andernet's own 2022 plan, under another name, and
    says nothing about testnet's; a typed name cannot choose a plan of another network."""
    ctx = _world_of(backend_app)
    squat = _file(Path(backend_app.instance_path), _yaml("testnet", "andernet-2022", year=2022))
    squatted = backend_app.test_cli_runner().invoke(args=["load-plan", squat])
    assert squatted.exit_code == 0, squatted.output
    testnet = slice_of_testnet(backend_app, ctx.world.network_id)
    refused = carry_over_into_testnet(ctx, "b_coordinator", False)
    assert refused[0] == 400
    status, _text = carry_over_andernet(ctx, "b_coordinator", False)
    assert status == 302
    with backend_app.extensions["tracker"].db.session() as session:
        plans = {(p.network_id, p.year): p.slug for p in session.exec(select(Plan))}
    assert plans[(ctx.world.network_id, 2022)] == "andernet-2022"
    assert plans[(ctx.b_network_id, 2022)] == "andernet-2022-2"
    assert slice_of_testnet(backend_app, ctx.world.network_id) == testnet
