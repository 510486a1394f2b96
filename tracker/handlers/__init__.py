"""Command handlers: the one write path. Each takes a command (tracker.domain.commands),
checks the acting person's rights, decides through the domain and writes in one unit of work;
one module per area (activities, plan changes and revisions, plans, closing, people, accounts).
"""
