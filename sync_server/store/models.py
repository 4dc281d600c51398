"""The central store's tables: intake (stations, tokens, batches, receipts, inbox,
quarantine) and the processor's results (responses with their answers; revisions 0002, 0004)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from sync_server.store.types import UtcDateTime

# Named constraints, so that migrations name them the same on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

STATION_STATUSES = ("active", "revoked")
BATCH_VIAS = ("http", "usb")
INBOX_STATES = ("pending", "processed", "quarantined")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SurveyKey(Base):
    """The survey's HPKE public key per country (the private half is never here)."""

    __tablename__ = "survey_keys"

    country: Mapped[str] = mapped_column(String(100), primary_key=True)
    public_key: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)


SURVEY_KEY_STATES = ("active", "retired")


class RingKey(Base):
    """One survey key of the server's ring, public facts only (the private half is a file on
    the processor's host, revision 0014). The first key (`mss server init`) has no country:
    every envelope of before v4 was sealed to it."""

    __tablename__ = "survey_key_ring"
    __table_args__ = (CheckConstraint("state IN ('active', 'retired')", name="state"),)

    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    country: Mapped[str | None] = mapped_column(String(100))
    wave: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    public_key: Mapped[str] = mapped_column(Text)
    first: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The operator's base64 signature over the key's record (revision 0015); None for the
    # first key and keys made before: stations do not switch to those.
    signature: Mapped[str | None] = mapped_column(Text)


class OperatorKeyRow(Base):
    """The operator's public signing key (revision 0015): bundles and QR codes carry it, so
    stations pin it. The private half is never on the server."""

    __tablename__ = "operator_keys"

    public_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class KnownSpec(Base):
    """A questionnaire spec the server accepts answers to, with its canonical JSON body."""

    __tablename__ = "specs"

    spec_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    version: Mapped[str] = mapped_column(String(40), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Station(Base):
    __tablename__ = "stations"
    __table_args__ = (
        CheckConstraint("status IN ('active', 'revoked')", name="status"),
        UniqueConstraint("public_key"),
    )

    station_id: Mapped[str] = mapped_column(String(44), primary_key=True)
    public_key: Mapped[bytes] = mapped_column(LargeBinary)
    country: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(200))
    populations: Mapped[list[str]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10))
    app_version: Mapped[str] = mapped_column(String(200))
    enrolled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_batch_seq: Mapped[int] = mapped_column(Integer)
    last_envelope_seq: Mapped[int] = mapped_column(Integer)
    envelopes_received: Mapped[int] = mapped_column(Integer)
    duplicates: Mapped[int] = mapped_column(Integer)
    conflicts: Mapped[int] = mapped_column(Integer)
    last_sync_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_beacon: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    last_beacon_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EnrolmentToken(Base):
    """Only the token's SHA-256 is kept: a database leak gives away no usable token."""

    __tablename__ = "enrolment_tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    country: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(200))
    populations: Mapped[list[str]] = mapped_column(JSON)
    server_url: Mapped[str | None] = mapped_column(String(500))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    station_id: Mapped[str | None] = mapped_column(ForeignKey("stations.station_id"))


class BatchRecord(Base):
    __tablename__ = "batches"
    __table_args__ = (
        UniqueConstraint("station_id", "batch_seq"),
        CheckConstraint("via IN ('http', 'usb')", name="via"),
    )

    batch_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.station_id"))
    batch_seq: Mapped[int] = mapped_column(Integer)
    content_sha256: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    envelope_count: Mapped[int] = mapped_column(Integer)
    via: Mapped[str] = mapped_column(String(8))
    signature: Mapped[str] = mapped_column(Text)


class ReceiptRecord(Base):
    """The receipt as sent, so a retried batch gets the very same answer."""

    __tablename__ = "receipts"

    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.batch_id"), primary_key=True)
    receipt: Mapped[str] = mapped_column(Text)


class InboxEnvelope(Base):
    """A sealed response waiting for the processor (which claims rows to open them)."""

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("station_id", "seq"),
        CheckConstraint("state IN ('pending', 'processed', 'quarantined')", name="state"),
        ForeignKeyConstraint(["spec_id", "spec_version"], ["specs.spec_id", "specs.version"]),
        Index(None, "state", "received_at"),
        # The processor looks for the same envelope id under other stations (a replay).
        Index(None, "envelope_id"),
    )

    # Keyed by station, then envelope id: an id is the station's own choice, so another
    # tablet sending the same id is another envelope, never a duplicate of this one
    # (revision 0007).
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.station_id"), primary_key=True)
    envelope_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The envelope's own version: 2 binds the station into the sealed context.
    envelope_v: Mapped[int] = mapped_column(Integer, server_default="1")
    seq: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64))
    spec_id: Mapped[str] = mapped_column(String(100))
    spec_version: Mapped[str] = mapped_column(String(40))
    spec_sha256: Mapped[str] = mapped_column(String(64))
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    # The survey key it was sealed to (envelope v4, or the site's campaign key); None: the
    # ring's first key, which sealed everything of before v4 (revision 0014).
    key_id: Mapped[str | None] = mapped_column(String(16))
    envelope_hash: Mapped[str] = mapped_column(String(64))
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.batch_id"))
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    state: Mapped[str] = mapped_column(String(12))
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    problem_code: Mapped[str | None] = mapped_column(String(60))
    # Why the processor quarantined it: question ids and rule names, never an answer.
    problem_detail: Mapped[str | None] = mapped_column(Text)


class QuarantinedEnvelope(Base):
    """An envelope that conflicts with what is stored: kept with its reason, never dropped."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("station_id", "envelope_id", "envelope_hash"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    envelope_id: Mapped[str] = mapped_column(String(36))
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.station_id"))
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.batch_id"))
    seq: Mapped[int] = mapped_column(Integer)
    envelope_hash: Mapped[str] = mapped_column(String(64))
    # The conflicting envelope's canonical JSON, exactly as received.
    envelope: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(60))
    detail: Mapped[str] = mapped_column(Text)
    quarantined_at: Mapped[datetime] = mapped_column(UtcDateTime)


# --- the processor's results -------------------------------------------------------------
# A response keeps the (station, envelope id) it came from: the unique key makes loading
# idempotent (one response per envelope). That link and the exact completion date stay on
# the server; releases drop them (sync_server/anonymise).


class ResponseRecord(Base):
    __tablename__ = "responses"
    __table_args__ = (
        Index(None, "country", "spec_id", "spec_version"),
        UniqueConstraint("station_id", "envelope_id"),
        ForeignKeyConstraint(
            ["station_id", "envelope_id"], ["inbox.station_id", "inbox.envelope_id"]
        ),
    )

    response_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    station_id: Mapped[str] = mapped_column(String(44))
    envelope_id: Mapped[str] = mapped_column(String(36))
    spec_id: Mapped[str] = mapped_column(String(100))
    spec_version: Mapped[str] = mapped_column(String(40))
    spec_sha256: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(100))
    region: Mapped[str] = mapped_column(String(200))
    population: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(8))
    completed_on: Mapped[date] = mapped_column(Date)
    # "station": the tablet's date; "received": the day the server received it, because
    # the tablet's date was impossible (a flat clock battery says 1970) (revision 0006).
    completed_on_source: Mapped[str] = mapped_column(String(10), server_default="station")
    duration_s: Mapped[int] = mapped_column(Integer)
    complete: Mapped[bool] = mapped_column(Boolean)
    # "straight_liner", "speeder", both (space-separated) or None: the data-quality rules of
    # questionnaire_specs/response_quality.py, judged with the exact duration (revision 0009).
    careless: Mapped[str | None] = mapped_column(String(40))
    # "station" (a kiosk tablet) or "site" (the online survey site), from the envelope's
    # version (protocol.envelope_channel) (revision 0010).
    channel: Mapped[str] = mapped_column(String(8), server_default="station")
    processed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The answers as one canonical JSON object, question id -> value as the sealed response
    # carries it (a code, a list of codes, a number, a text). One row per response: reading a
    # release and loading a chunk touch one row, not one per answer (revision 0004).
    answers: Mapped[str] = mapped_column(Text)
