"""How the server's ASGI apps are served: uvicorn with limits that keep one slow or
half-open client from holding the workers everyone else needs.

nginx in front (deploy/nginx-intake.conf) adds header and body timeouts and rate limits;
these limits hold even without it.
"""

from __future__ import annotations

from typing import Any

# Connections being served at once; past it a request gets 503 (retry) at once instead of
# queueing behind half-open sockets.
MAX_CONCURRENT = 200
# An idle keep-alive connection is closed after this many seconds.
KEEP_ALIVE_SECONDS = 5
BACKLOG = 512


def server_config(app: Any, *, host: str, port: int, lifespan: str = "auto") -> Any:
    """The uvicorn configuration every MSS app is served with (the tests serve with it too,
    so the limits they check are the ones in production)."""
    import uvicorn

    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="warning",
        limit_concurrency=MAX_CONCURRENT,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        backlog=BACKLOG,
        lifespan=lifespan,
        # Stations report problems through problem+json, not access lines.
        access_log=False,
    )


def serve_app(app: Any, *, host: str, port: int) -> None:
    import uvicorn

    uvicorn.Server(server_config(app, host=host, port=port)).run()
