"""Row 5: a full quarterly reminder run for every workgroup of the country, into an SMTP sink.

The sink (`bench.smtp_sink`: aiosmtpd on 127.0.0.1, accepts and discards) runs in a process
of its own; the run is measured in another (`python -m bench.reminder_run URL SCALE PORT`)
through the product's own entry points, as the reminder process does it: the app with the
SMTP backend and a clock standing at the benchmark's today (`dataset.today`, in the last
year's 4th quarter), `Reminders.make_run` (select the open activities per workgroup, compose
the mails, write the outbox) and `Reminders.deliver_due` (per mail: claim, look up the
address, send over SMTP, mark it sent and append a ReminderSent to each listed activity).

Baseline: the same mails sent to the same sink with bare smtplib, one connection each as the
product's mailer does: the floor of delivering that many mails on this machine.
"""

from __future__ import annotations

import json
import smtplib
import sys
import time

import sqlalchemy as sa
from sqlmodel import col, select

from bench import dataset
from bench.probe import run_module
from bench.report import Row
from bench.smtp_sink import HOST, smtp_sink

TARGET_S = 60.0


def measure(url: str, factor: float, port: int) -> dict[str, float | int]:
    from reminders.compose import email_message
    from reminders.periods import Period, ReminderKind, Run
    from reminders.service import reminders_of
    from tracker.clock import FixedClock
    from tracker.reminder_models import OutboxMessage
    from wsgi import create_app

    scale = dataset.Scale.of(factor)
    today = dataset.today(scale)
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "LOG_LEVEL": "WARNING",
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": HOST,
            "SMTP_PORT": port,
            "SMTP_SECURITY": "none",
            "SMTP_TIMEOUT": 30,
            "MAIL_FROM": "Jaarplan-tracker <jaarplan@example.org>",
            "APP_URL": "https://jaarplan.example.org",
        },
        clock=FixedClock(today),
    )
    reminders = reminders_of(app)
    run = Run(ReminderKind.QUARTERLY, Period.containing(today.date()))
    start = time.perf_counter()
    written = reminders.make_run(run)
    made = time.perf_counter()
    outcomes = reminders.deliver_due()
    delivered = time.perf_counter()
    sent = sum(1 for outcome in outcomes if outcome.status == "sent")
    if written is None or sent != written or len(outcomes) != written:
        raise RuntimeError(f"{written} mails written, {sent} of {len(outcomes)} delivered")

    db = reminders.db
    with db.engine.connect() as connection:
        workgroups = connection.execute(sa.text("SELECT count(*) FROM workgroup")).scalar_one()
        recorded = connection.execute(
            sa.text("SELECT count(*) FROM events WHERE type = 'ReminderSent'")
        ).scalar_one()
    with db.session() as session:
        messages = [
            email_message(
                reminders.mail.sender, dataset.workgroup_address(m.workgroup_id or 0),
                m.subject, m.body_text, m.body_html,
            )
            for m in session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id)))
        ]  # fmt: skip
    raw_start = time.perf_counter()
    for message in messages:
        with smtplib.SMTP(HOST, port, timeout=30) as client:
            client.send_message(message)
    raw = time.perf_counter() - raw_start
    db.dispose()
    return {
        "workgroups": int(workgroups),
        "mails": int(written),
        "reminder_events": int(recorded),
        "make_s": made - start,
        "deliver_s": delivered - made,
        "total_s": delivered - start,
        "raw_smtp_s": raw,
    }


def rows(backend: str, url: str, scale: dataset.Scale) -> list[Row]:
    """Run the reminders into a fresh sink, in a fresh process; the rows for the table."""
    with smtp_sink() as sink:
        found = run_module("bench.reminder_run", url, str(scale.factor), str(sink.port))
        accepted = sink.stop()
    mails = int(found["mails"])
    if accepted != 2 * mails:  # the run's mails, then the baseline's copies
        raise RuntimeError(f"the sink accepted {accepted} messages, expected {2 * mails}")
    what = (
        f"{mails:,} mails to {found['workgroups']:,} workgroups, "
        f"{found['reminder_events']:,} ReminderSent events"
    )
    raw = f"bare smtplib, same mails {float(found['raw_smtp_s']):.2f} s"
    return [
        Row(
            "5",
            f"full quarterly reminder run: {what}",
            backend,
            float(found["total_s"]),
            "s",
            baseline=raw,
            target=f"< {TARGET_S:g} s",
            higher_is_better=False,
            threshold=TARGET_S,
        ),
        Row(
            "5.make",
            "making the run (select, compose, outbox)",
            backend,
            float(found["make_s"]),
            "s",
        ),
        Row(
            "5.deliver",
            "delivering it (SMTP, ReminderSent events)",
            backend,
            float(found["deliver_s"]),
            "s",
            baseline=raw,
        ),
    ]


def main(argv: list[str]) -> int:
    url, factor, port = argv
    print(json.dumps(measure(url, float(factor), int(port))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
