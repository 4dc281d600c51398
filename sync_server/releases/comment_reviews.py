"""The comments review queue: a national release carries a free-text answer only once an
administrator has cleared it (`mss server comments review`); pooled releases carry none.

The queue holds each distinct scrubbed text per spec, wave, country and question, exactly
as the treated file would release it, so the reviewer decides on what an analyst would
read. A release looks decisions up by the text's SHA-256: identical texts share one
decision, and nothing in the queue points back to a response. Decisions are audited by the
caller, in the same transaction (`decide`'s `audit`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from protocol.wire import wire_time
from questionnaire_specs import Disclosure, Spec
from sync_server.store.review_models import REVIEW_STATES, CommentReview
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]
DECISIONS = ("cleared", "withheld")


class ReviewError(ValueError):
    """A decision that cannot be taken as asked (unknown entry, unknown decision)."""


@dataclass(frozen=True)
class CommentView:
    review_id: int
    spec_id: str
    wave: str
    country: str
    question_id: str
    text: str
    state: str
    decided_by: str | None
    decided_at: datetime | None

    @classmethod
    def of(cls, row: CommentReview) -> CommentView:
        return cls(
            row.review_id, row.spec_id, row.wave, row.country, row.question_id, row.text,
            row.state, row.decided_by, row.decided_at,
        )  # fmt: skip

    def to_json(self) -> dict[str, object]:
        return {
            "review_id": self.review_id,
            "spec": self.spec_id,
            "wave": self.wave,
            "country": self.country,
            "question": self.question_id,
            "text": self.text,
            "state": self.state,
            "decided_by": self.decided_by,
            "decided_at": wire_time(self.decided_at) if self.decided_at else None,
        }

    def describe(self) -> str:
        """For the audit log: which entry, never its text."""
        return (
            f"comment #{self.review_id} of {self.spec_id} wave {self.wave} {self.country} "
            f"(question {self.question_id})"
        )


def text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def free_text_questions(spec: Spec, columns: Iterable[str]) -> list[str]:
    present = set(columns)
    return [
        q.id for q in spec.questions if q.disclosure is Disclosure.FREE_TEXT and q.id in present
    ]


def _texts(spec: Spec, frame: pd.DataFrame) -> dict[tuple[str, str, str], str]:
    """(country, question, digest) -> text, for every scrubbed text of `frame`."""
    found: dict[tuple[str, str, str], str] = {}
    for question in free_text_questions(spec, frame.columns):
        pairs = frame[["country", question]].dropna().drop_duplicates()
        for country, text in pairs.itertuples(index=False):
            if isinstance(text, str) and text.strip():
                found[(str(country), question, text_digest(text))] = text
    return found


def queue_comments(
    session_factory: sessionmaker[Session],
    spec: Spec,
    wave: str,
    frame: pd.DataFrame,
    *,
    clock: Clock,
) -> int:
    """Queue, pending, each scrubbed text of the treated `frame` (or a national cut of it)
    not queued yet; how many were added."""
    texts = _texts(spec, frame)
    if not texts:
        return 0
    countries = sorted({country for country, _, _ in texts})

    def work(session: Session) -> int:
        known = {
            tuple(row)
            for row in session.execute(
                select(CommentReview.country, CommentReview.question_id, CommentReview.text_sha256)
                .where(CommentReview.spec_id == spec.id, CommentReview.wave == wave)
                .where(CommentReview.country.in_(countries))
            )
        }
        now = clock()
        added = [key for key in texts if key not in known]
        session.add_all(
            CommentReview(
                spec_id=spec.id, wave=wave, country=country, question_id=question,
                text_sha256=digest, text=texts[(country, question, digest)], state="pending",
                queued_at=now, decided_at=None, decided_by=None,
            )
            for country, question, digest in sorted(added)
        )  # fmt: skip
        return len(added)

    # A concurrent release queueing the same texts: in_transaction runs again and skips them.
    return in_transaction(session_factory, work)


def comments(
    session_factory: sessionmaker[Session],
    spec_id: str,
    wave: str,
    *,
    country: str | None = None,
    state: str | None = None,
) -> list[CommentView]:
    """The queue's entries of one spec and wave, by country, question and id."""
    if state is not None and state not in REVIEW_STATES:
        raise ReviewError(f"a review state is one of {', '.join(REVIEW_STATES)}")
    query = select(CommentReview).where(
        CommentReview.spec_id == spec_id, CommentReview.wave == wave
    )
    if country is not None:
        query = query.where(CommentReview.country == country)
    if state is not None:
        query = query.where(CommentReview.state == state)
    query = query.order_by(
        CommentReview.country, CommentReview.question_id, CommentReview.review_id
    )
    with session_factory() as session:
        return [CommentView.of(row) for row in session.scalars(query)]


def decide(
    session_factory: sessionmaker[Session],
    review_ids: Iterable[int],
    decision: str,
    *,
    by: str,
    clock: Clock,
    audit: Callable[[Session, datetime, CommentView], None],
    spec_id: str | None = None,
) -> list[CommentView]:
    """Clear or withhold entries, each audited by `audit` in the same transaction. All or
    none: an unknown id (or one of another spec, when `spec_id` is given) changes nothing."""
    if decision not in DECISIONS:
        raise ReviewError(f"a decision is one of {', '.join(DECISIONS)}, not {decision!r}")
    wanted = sorted(set(review_ids))

    def work(session: Session) -> list[CommentView]:
        now = clock()
        decided = []
        for review_id in wanted:
            row = session.get(CommentReview, review_id)
            if row is None or (spec_id is not None and row.spec_id != spec_id):
                raise ReviewError(f"no comment #{review_id} in the review queue")
            row.state, row.decided_by, row.decided_at = decision, by, now
            view = CommentView.of(row)
            audit(session, now, view)
            decided.append(view)
        return decided

    return in_transaction(session_factory, work)


def cleared_digests(
    session_factory: sessionmaker[Session], spec_id: str, wave: str, country: str
) -> dict[str, frozenset[str]]:
    """question -> the digests of its cleared texts, for one national release."""
    query = select(CommentReview.question_id, CommentReview.text_sha256).where(
        CommentReview.spec_id == spec_id,
        CommentReview.wave == wave,
        CommentReview.country == country,
        CommentReview.state == "cleared",
    )
    found: dict[str, set[str]] = {}
    with session_factory() as session:
        for question, digest in session.execute(query):
            found.setdefault(question, set()).add(digest)
    return {question: frozenset(digests) for question, digests in found.items()}


def only_cleared(column: pd.Series, cleared: frozenset[str]) -> tuple[pd.Series, int, int]:
    """The column with every text not cleared blanked; (column, texts kept, texts withheld)."""
    keep = column.map(
        lambda text: isinstance(text, str) and text_digest(text) in cleared, na_action="ignore"
    )
    keep = keep.fillna(False).astype(bool)
    present = column.notna()
    kept = int((keep & present).sum())
    withheld = int((present & ~keep).sum())
    out = column.astype(object).where(keep, None)
    return out, kept, withheld
