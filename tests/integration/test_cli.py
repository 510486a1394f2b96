"""Admin commands: creating people and tokens, loading plans, from the command line."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from sqlmodel import select

from tracker.models import NetworkRole, User, WorkgroupMember

FIXTURES = Path(__file__).parent.parent / "fixtures"


def load_mini_plan(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["load-plan", str(FIXTURES / "mini-plan.yaml")])
    assert result.exit_code == 0, result.output
    assert "3 activities added, 0 already there" in result.output


def test_loading_a_plan_twice_adds_nothing_the_second_time(app: Flask) -> None:
    load_mini_plan(app)
    again = app.test_cli_runner().invoke(args=["load-plan", str(FIXTURES / "mini-plan.yaml")])
    assert "0 activities added, 3 already there" in again.output


def test_a_broken_plan_file_is_refused_with_its_problem(app: Flask, tmp_path: Path) -> None:
    broken = tmp_path / "plan.yaml"
    broken.write_text(
        "format: jaarplan/1\nnetwork: {slug: a, name: A}\nplan: {slug: p, title: T}\n"
    )
    result = app.test_cli_runner().invoke(args=["load-plan", str(broken)])
    assert result.exit_code != 0 and "'year' must be a year" in result.output  # English


def test_create_user_reads_the_password_from_stdin_and_sets_role_and_workgroup(app: Flask) -> None:
    load_mini_plan(app)
    result = app.test_cli_runner().invoke(
        args=[
            "create-user",
            "Nieuw.Lid@Example.org",
            "--name",
            "Nieuw Lid",
            "--role",
            "member",
            "--network",
            "testnet",
            "--workgroup",
            "Werkgroep beleid",
        ],
        input="een-lang-wachtwoord\n",
    )
    assert result.exit_code == 0, result.output
    with app.extensions["tracker"].db.session() as session:
        user = session.exec(select(User).where(User.email == "nieuw.lid@example.org")).one()
        assert user.password_hash.startswith("$argon2id$") and "een-lang" not in user.password_hash
        assert (
            session.exec(select(NetworkRole).where(NetworkRole.user_id == user.id)).one().role
            == "member"
        )
        assert (
            len(
                session.exec(
                    select(WorkgroupMember).where(WorkgroupMember.user_id == user.id)
                ).all()
            )
            == 1
        )
    client = app.test_client()
    response = client.post(
        "/inloggen", data={"email": "nieuw.lid@example.org", "password": "een-lang-wachtwoord"}
    )
    assert response.status_code == 302


def test_create_user_refuses_bad_input_and_writes_nothing(app: Flask) -> None:
    load_mini_plan(app)
    runner = app.test_cli_runner()
    cases = [
        (
            [
                "create-user",
                "a@example.org",
                "--name",
                "A",
                "--role",
                "member",
                "--network",
                "testnet",
            ],
            "kort\n",
            "at least 10 characters",
        ),
        (
            ["create-user", "a@example.org", "--name", "A", "--role", "member"],
            "lang-genoeg-12\n",
            "--network",
        ),
        (
            ["create-user", "a@example.org", "--name", "A", "--role", "board", "--network", "nope"],
            "lang-genoeg-12\n",
            "unknown network",
        ),
        (
            [
                "create-user",
                "a@example.org",
                "--name",
                "A",
                "--role",
                "member",
                "--network",
                "testnet",
                "--workgroup",
                "Werkgroep Onbekend",
            ],
            "lang-genoeg-12\n",
            "unknown workgroup",
        ),
        (
            ["create-user", "a@example.org", "--name", "A", "--role", "chief"],
            "lang-genoeg-12\n",
            "chief",
        ),
    ]
    for args, password, message in cases:
        result = runner.invoke(args=args, input=password)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    with app.extensions["tracker"].db.session() as session:
        assert session.exec(select(User)).all() == []


def test_create_token_prints_a_token_that_opens_the_api(app: Flask) -> None:
    runner = app.test_cli_runner()
    runner.invoke(
        args=["create-user", "beheer@example.org", "--name", "B", "--role", "admin"],
        input="lang-genoeg-12\n",
    )
    result = runner.invoke(args=["create-token", "beheer@example.org"])
    token = result.output.strip()
    assert result.exit_code == 0 and len(token) >= 40
    response = app.test_client().get("/api/v1/plans", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert runner.invoke(args=["create-token", "niemand@example.org"]).exit_code != 0


def test_a_report_as_of_a_day_out_of_range_is_refused_with_a_message(app: Flask) -> None:
    output = Path(app.instance_path) / "r.csv"
    args = ["report", "--plan", "x", "--period", "2021Q2", "--as-of", "9999-12-31"]
    result = app.test_cli_runner().invoke(args=[*args, "--format", "csv", "-o", str(output)])
    assert result.exit_code == 2 and "2000-01-01 to 2100-12-31" in result.output
    assert not output.exists()
