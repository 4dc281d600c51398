"""What create_app keeps on app.state, read by the routers."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sync_server.settings import Settings


@dataclass(frozen=True)
class ServerState:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]


def server_state(request: Request) -> ServerState:
    state = request.app.state.server
    assert isinstance(state, ServerState)
    return state
