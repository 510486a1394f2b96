"""Account and session security: login counters, session epochs, the audit trail, erasure.

State lives in the database (tables of their own, so `init-db` adds them to an existing
database), so limits hold across several gunicorn workers and restarts.
"""
