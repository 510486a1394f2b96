"""The rules of a jaarplan, free of Flask and SQL: statuses, events, commands, timing, access."""
