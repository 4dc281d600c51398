"""A browser-sealed envelope into the inbox: wrapped as the next envelope of the campaign's
virtual station and stored by the intake's own rules (ingest.batches.store_batch), in one
transaction. The site cannot read it: it holds the survey public key only."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crypto import SurveyPublicKey
from protocol.codec import envelope_hash
from protocol.problems import Problem
from protocol.site_wire import SiteReceipt, SiteSubmission
from protocol.wire import ZERO_HASH, SiteEnvelope
from sync_server.ingest.batches import BatchFacts, store_batch
from sync_server.ingest.stations import lock_active_station
from sync_server.site.access_codes import spend_token, verified_token
from sync_server.site.campaigns import open_campaign_view
from sync_server.site.token_keys import TokenKeys
from sync_server.store.models import InboxEnvelope
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SiteOutcome:
    """A receipt, or the conflict code when the id was stored with other bytes (then the
    submission was quarantined, as intake does, and the browser gets a 409)."""

    receipt: SiteReceipt | None
    conflict: str | None = None


def _place_in_chain(
    session: Session, station_id: str, envelope_id: str, last_seq: int
) -> tuple[int, str]:
    """The (seq, prev) this envelope takes: those it was stored with if it is a retry (so the
    intake rules see the very same envelope), else the next in the station's chain."""
    stored = session.get(InboxEnvelope, (station_id, envelope_id))
    if stored is not None:
        return stored.seq, stored.prev_hash
    before = session.scalar(
        select(InboxEnvelope.envelope_hash).where(
            InboxEnvelope.station_id == station_id, InboxEnvelope.seq == last_seq
        )
    )
    return last_seq + 1, before or ZERO_HASH


def accept_site_envelope(
    session_factory: sessionmaker[Session],
    slug: str,
    submission: SiteSubmission,
    *,
    clock: Clock,
    token_keys: TokenKeys,
    new_id: Callable[[], str] = lambda: str(uuid.uuid4()),
) -> SiteOutcome:
    """Store one sealed response of campaign `slug`. Raises Problem (unknown-campaign,
    campaign-closed, wrong-spec, code-required, token-invalid, token-spent); when it does,
    nothing was stored. A campaign with access codes needs a token its key signed, unspent,
    spent in this transaction (the very same envelope again needs none: its token was spent
    when it was stored)."""
    campaign = open_campaign_view(session_factory, slug)
    if submission.spec.triple() != campaign.spec.triple():
        raise Problem(
            "wrong-spec",
            f"this campaign takes answers to {campaign.spec.id} {campaign.spec.version} only",
        )
    token = None
    if campaign.requires_codes and submission.token is not None:
        # Checked before the transaction: a forgery takes no lock.
        token = verified_token(slug, submission.token, token_keys.public_key(slug))

    def work(session: Session) -> SiteOutcome:
        station = lock_active_station(session, campaign.station_id)
        retry = session.get(InboxEnvelope, (station.station_id, submission.envelope_id))
        same_again = retry is not None and retry.sealed == submission.sealed_bytes()
        if campaign.requires_codes and not same_again:
            spend_token(session, slug, token)
        seq, prev = _place_in_chain(
            session, station.station_id, submission.envelope_id, station.last_envelope_seq
        )
        # The very same sealed bytes again are the response stored before, whatever the
        # page labels them now (a retry across the v3 to v5 upgrade, a campaign whose key
        # changed since): rebuilt as stored, they are a duplicate, not a conflict.
        stored = retry if same_again else None
        envelope = SiteEnvelope(
            v=submission.v if stored is None else stored.envelope_v,
            envelope_id=submission.envelope_id,
            seq=seq,
            prev=prev,
            spec=submission.spec,
            sealed=submission.sealed,
            # The campaign's survey key: what the processor opens it with.
            key_id=SurveyPublicKey.from_text(campaign.public_key).key_id()
            if stored is None or stored.key_id is None
            else stored.key_id,
        )
        digest = envelope_hash(envelope)
        facts = BatchFacts(new_id(), station.last_batch_seq + 1, digest, "http", "")
        result = store_batch(session, station, facts, [envelope], [digest], clock()).results[0]
        if result.status == "conflict":
            return SiteOutcome(None, conflict=result.code)
        receipt_id = retry.batch_id if retry is not None else facts.batch_id
        status = "duplicate" if result.status == "duplicate" else "accepted"
        return SiteOutcome(SiteReceipt(envelope_id=envelope.envelope_id, status=status,
                                       receipt_id=receipt_id))  # fmt: skip

    return in_transaction(session_factory, work)
