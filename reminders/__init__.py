"""Quarterly e-mail reminders to workgroups: a scheduler process of its own, an outbox, SMTP.

`init_app` wires it into the app (the composition root, `wsgi.create_app`): settings, the
mailer (the tracker's own mail goes through it too), the pages (a person's reminder choice,
the unsubscribe link, failed mails for admins), the calendar feeds and the `reminders`
commands.
Nothing is started here: the scheduler runs only in `flask --app wsgi reminders run`.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from reminders import cli, feed_web, web
    from reminders.service import Reminders
    from reminders.settings import mail_settings, schedule

    reminders = Reminders(app, mail_settings(app.config), schedule(app.config))
    app.extensions["reminders"] = reminders
    # The tracker's own mail (the password-reset link) goes through the same mailer.
    app.extensions["tracker"].send_mail = lambda message: reminders.mailer.send(message)
    app.register_blueprint(web.blueprint)
    app.register_blueprint(feed_web.blueprint)
    app.cli.add_command(cli.group)
