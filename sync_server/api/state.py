"""What create_app keeps on app.state, read by the routers."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field

from fastapi import FastAPI, Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from sync_server.settings import Settings
from sync_server.store.engine import make_engine, make_session_factory
from sync_server.store.migrate import upgrade_to_head


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


@dataclass(frozen=True)
class OpenedStore:
    """The store an app serves from, and the lifespan that closes it: built once per app
    (intake's and the site's alike), migrated first unless the operator migrates by hand."""

    state: ServerState
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[None]]


def open_store(settings: Settings) -> OpenedStore:
    engine = make_engine(settings.effective_database_url)
    if settings.migrate_on_start:
        upgrade_to_head(engine)
    state = ServerState(
        settings=settings, engine=engine, session_factory=make_session_factory(engine)
    )

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    return OpenedStore(state, lifespan)
