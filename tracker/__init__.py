"""Jaarplan tracker: the yearly plans of palliative-care networks, tracked as events.

This package is deliberately empty at import time: the domain (`tracker.domain`) can be
imported without Flask or a database, and the web app is built by `tracker.app.create_app`.
"""
