"""Who may do what (revision 0003): users, their API tokens, the releases built for them and
the append-only audit log of every release and download."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.store.models import Base
from sync_server.store.types import UtcDateTime

USER_ROLES = ("administrator", "coordinator", "analyst", "global_analyst")
RELEASE_SCOPES = ("national", "pooled")
AUDIT_OUTCOMES = ("ok", "denied", "refused", "unauthenticated", "not-found", "invalid")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class User(Base):
    """A person who may ask the server for releases (or run it). Never deleted: disabled."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_one_of("role", USER_ROLES), name="role"),)

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    role: Mapped[str] = mapped_column(String(20))
    # ISO alpha-2 codes a coordinator or analyst is scoped to; empty for the other roles.
    countries: Mapped[list[str]] = mapped_column(JSON)
    # Argon2id PHC string (crypto.hash_pin); never the password.
    password_hash: Mapped[str] = mapped_column(String(200))
    disabled: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ApiToken(Base):
    """Only the token's SHA-256 is kept; `token_id` names it for listing and revocation."""

    __tablename__ = "api_tokens"
    __table_args__ = (Index(None, "user_name"),)

    token_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_name: Mapped[str] = mapped_column(ForeignKey("users.name"))
    label: Mapped[str] = mapped_column(String(200))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ReleaseRecord(Base):
    """A release built on request, kept under <data_dir>/releases/<release_id>/."""

    __tablename__ = "releases"
    __table_args__ = (
        CheckConstraint(_one_of("scope", RELEASE_SCOPES), name="scope"),
        Index(None, "scope", "country"),
    )

    release_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))
    country: Mapped[str | None] = mapped_column(String(100))
    spec_id: Mapped[str] = mapped_column(String(100))
    wave: Mapped[str | None] = mapped_column(String(20))
    format: Mapped[str] = mapped_column(String(10))
    lang: Mapped[str] = mapped_column(String(8))
    rows: Mapped[int] = mapped_column(Integer)
    # File names relative to the release directory, as build_release wrote them.
    files: Mapped[list[str]] = mapped_column(JSON)
    requested_by: Mapped[str] = mapped_column(ForeignKey("users.name"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEntry(Base):
    """One attempt to release or download (or export), allowed or not. Append-only: the
    migration adds triggers that refuse UPDATE and DELETE. No foreign keys, so an attempt
    naming an unknown user or release is still written as it was made."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(_one_of("outcome", AUDIT_OUTCOMES), name="outcome"),
        Index(None, "at"),
    )

    entry_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The user name, or None when no valid token was presented.
    actor: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20))
    release_id: Mapped[str | None] = mapped_column(String(100))
    # What was asked (scope, country, spec, file name) and why it was refused: never data.
    detail: Mapped[str] = mapped_column(Text)


class SignInFailure(Base):
    """Wrong passwords and unknown API tokens, counted per subject (revision 0005):
    `user:<name>` (whether or not the user exists) and `address:<ip>`. What a guesser
    learns is only when to try again."""

    __tablename__ = "sign_in_failures"

    subject: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failure_at: Mapped[datetime] = mapped_column(UtcDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Past the hold threshold only an administrator lifts it (mss server user unlock).
    held: Mapped[bool] = mapped_column(Boolean)
