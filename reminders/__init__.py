"""Quarterly e-mail reminders to workgroups (a scheduler process of its own; see issue 4)."""
