"""Who a request comes from: the address behind a trusted proxy, for throttling."""

from __future__ import annotations

from fastapi import Request

from sync_server.access.sign_in import Caller
from sync_server.api.state import ServerState


def client_address(request: Request, state: ServerState) -> str:
    """The peer's address; behind a trusted proxy, the last address it appended to
    X-Forwarded-For (the one it saw; what the client wrote before it is not trusted)."""
    peer = request.client.host if request.client is not None else "unknown"
    if peer in state.settings.trusted_proxies:
        forwarded = request.headers.get("x-forwarded-for", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:100]
    return peer


def caller_of(request: Request, state: ServerState, name: str | None = None) -> Caller:
    return Caller(address=client_address(request, state), name=name)
