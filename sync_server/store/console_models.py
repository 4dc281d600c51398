"""The console's server-side sign-ins, each user's page language and the release jobs it
queues (revision 0011)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.store.models import Base
from sync_server.store.types import UtcDateTime


class ConsoleSession(Base):
    """One signed-in browser. Only the SHA-256 of the cookie's random id is kept, so a
    copy of the database opens no session; deleting the row ends it at once."""

    __tablename__ = "console_sessions"
    __table_args__ = (Index(None, "user_name"),)

    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name"))
    # Echoed in every form of this session; useless without the cookie.
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)


class ConsoleLanguage(Base):
    """The language a user chose for the console's pages."""

    __tablename__ = "console_languages"

    user_name: Mapped[str] = mapped_column(ForeignKey("users.name"), primary_key=True)
    lang: Mapped[str] = mapped_column(String(8))


JOB_STATES = ("queued", "running", "done", "failed")


class ReleaseJob(Base):
    """A release asked for from the console, built outside the request that asked. It ends
    `done` with a listed release, or `failed` with the reason; the engine stages its files
    and moves them in whole, so a crash leaves no half-written folder, only a job that is
    queued again."""

    __tablename__ = "release_jobs"
    __table_args__ = (
        CheckConstraint(f"state IN ({', '.join(repr(s) for s in JOB_STATES)})", name="state"),
        Index(None, "state", "created_at"),
        Index(None, "requested_by"),
    )

    job_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    requested_by: Mapped[str] = mapped_column(ForeignKey("users.name"))
    scope: Mapped[str] = mapped_column(String(10))
    country: Mapped[str | None] = mapped_column(String(100))
    spec_id: Mapped[str] = mapped_column(String(100))
    wave: Mapped[str | None] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(10))
    lang: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(10))
    release_id: Mapped[str | None] = mapped_column(String(32))
    # Why it failed: a problem code and its detail, never data.
    failure: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
