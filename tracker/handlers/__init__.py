"""Command handlers: the one write path. Each takes a command (tracker.domain.commands),
checks the acting person's rights, decides through the domain and writes in one unit of work.

- activities: status changes, target progress, delivered reminders, tracking a new activity;
- plans: importing and loading plans, the year-end carry-over, recorded spending;
- closing: closing a quarter (vaststellen).
"""
