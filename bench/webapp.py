"""The app as gunicorn serves it in the benchmark: the real app plus one trivial endpoint.

`/bench/ping` does nothing but answer a small JSON object; it runs through the same server,
workers, middleware and after-request hooks as the API, so the ratio of the status updates
to it is the cost of the tracker's own work per request.
"""

from __future__ import annotations

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from wsgi import create_app


def create_bench_app() -> Flask:
    """`gunicorn 'bench.webapp:create_bench_app()'`: configuration from the environment."""
    app = create_app()

    @app.get("/bench/ping")
    def ping() -> ResponseReturnValue:
        return jsonify(ok=True)

    return app
