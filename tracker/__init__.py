"""Jaarplan tracker: the yearly plans of palliative-care networks, tracked as events.

This package is deliberately empty at import time: the domain (`tracker.domain`) can be
imported without Flask or a database; the web app is built by `wsgi.create_app` (the
tracker alone by `tracker.app.create_tracker_app`).
"""
