"""The comments review queue (revision 0008): each distinct scrubbed comment of a national
release, per spec, wave, country and question, pending until an administrator clears or
withholds it. National releases carry only cleared comments; pooled ones none."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from sync_server.store.models import Base
from sync_server.store.types import UtcDateTime

REVIEW_STATES = ("pending", "cleared", "withheld")


class CommentReview(Base):
    """One scrubbed text as it would be released (identical texts of one country and
    question are one entry: the decision is about the words, not who wrote them)."""

    __tablename__ = "comment_reviews"
    __table_args__ = (
        CheckConstraint(
            f"state IN ({', '.join(repr(state) for state in REVIEW_STATES)})", name="state"
        ),
        UniqueConstraint("spec_id", "wave", "country", "question_id", "text_sha256"),
        Index(None, "spec_id", "wave", "country", "state"),
    )

    review_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    spec_id: Mapped[str] = mapped_column(String(100))
    wave: Mapped[str] = mapped_column(String(20))
    country: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the scrubbed text (UTF-8): what a release looks the decision up by.
    text_sha256: Mapped[str] = mapped_column(String(64))
    # The scrubbed text, as the reviewer reads it and the release would carry it.
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10))
    queued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(ForeignKey("users.name"))
