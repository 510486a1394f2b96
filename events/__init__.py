"""The event store (append-only log of facts) and the projections derived from it."""
