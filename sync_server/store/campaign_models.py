"""The online survey site's tables (revision 0010): campaigns, and their one-time access
codes and submission tokens.

A campaign sends its envelopes into the inbox as a virtual station (a `stations` row named
site_…), so the inbox's keys and the intake rules hold for it unchanged. A code and the
token it bought are two unlinked rows: the server keeps that a code is used and that a token
is spent, never which token a code gave or which envelope a token paid for.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.store.models import Base
from sync_server.store.types import UtcDateTime

CAMPAIGN_STATUSES = ("open", "closed")


class Campaign(Base):
    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'closed')", name="status"),
        ForeignKeyConstraint(["spec_id", "spec_version"], ["specs.spec_id", "specs.version"]),
    )

    # The public part of the link /s/<slug>: random, so campaigns cannot be enumerated.
    slug: Mapped[str] = mapped_column(String(40), primary_key=True)
    station_id: Mapped[str] = mapped_column(ForeignKey("stations.station_id"), unique=True)
    country: Mapped[str] = mapped_column(String(100))
    wave: Mapped[str] = mapped_column(String(20))
    populations: Mapped[list[str]] = mapped_column(JSON)
    spec_id: Mapped[str] = mapped_column(String(100))
    spec_version: Mapped[str] = mapped_column(String(40))
    # The survey HPKE public key the browser seals to (crypto's text form): never a private one.
    public_key: Mapped[str] = mapped_column(Text)
    requires_codes: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(10))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class CampaignAccessCode(Base):
    """A code printed on a card; only its SHA-256 is kept."""

    __tablename__ = "campaign_access_codes"

    code_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    slug: Mapped[str] = mapped_column(ForeignKey("campaigns.slug"))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used: Mapped[bool] = mapped_column(Boolean)


class SubmissionToken(Base):
    """A spent submission token (its SHA-256), so that it cannot be spent twice. A row is
    written only when an envelope spends it: the code paid for a blind signature the site
    never saw unblinded, so nothing here links a token to its code."""

    __tablename__ = "campaign_submission_tokens"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    slug: Mapped[str] = mapped_column(ForeignKey("campaigns.slug"))
    spent: Mapped[bool] = mapped_column(Boolean)
