"""What create_app keeps on app.state, read by the routers."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sync_server.settings import Settings


def password_checks_at_once() -> int:
    """How many Argon2id password checks may run at once: half the cores. Each takes a core
    for ~0.1 s, so a flood of guesses from ever new addresses (each with its free, fully
    hashed tries) would otherwise take every core from intake and /v1/health."""
    return max(1, (os.cpu_count() or 2) // 2)


@dataclass(frozen=True)
class ServerState:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    password_checks: asyncio.Semaphore = field(
        default_factory=lambda: asyncio.Semaphore(password_checks_at_once())
    )


def server_state(request: Request) -> ServerState:
    state = request.app.state.server
    assert isinstance(state, ServerState)
    return state
