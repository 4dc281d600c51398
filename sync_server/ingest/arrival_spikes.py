"""A flood on the online site shows on the fleet status as a spike instead of being quietly
absorbed: per campaign (its virtual station), the envelopes received in the last hour
against the campaign's usual hourly rate over the week before.

Only the arrival times the inbox already holds are counted; nothing about who sent them
(no address, no agent) is kept or needed. Tablets are left out: one that was offline for a
fortnight rightly sends a fortnight's responses in one sync.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from sync_server.store.campaign_models import Campaign
from sync_server.store.models import InboxEnvelope

WINDOW = timedelta(hours=1)
BASELINE = timedelta(days=7)
# A spike is this many times the usual rate, and at least SPIKE_FLOOR envelopes in the
# window: a quiet campaign going from 0 to 3 an hour is a good morning, not a flood.
SPIKE_FACTOR = 5.0
SPIKE_FLOOR = 30


class ArrivalRate(BaseModel):
    recent: int  # envelopes received in the last WINDOW
    # Envelopes per WINDOW over the BASELINE before it (or since the campaign opened); None
    # while the campaign is younger than one window before the last.
    usual: float | None
    spike: bool


def arrival_rate(recent: int, earlier: int, earlier_span: timedelta) -> ArrivalRate:
    """The rule: `recent` in the last window against `earlier` over `earlier_span`."""
    windows = earlier_span / WINDOW
    usual = earlier / windows if windows >= 1 else None
    threshold = max(SPIKE_FLOOR, SPIKE_FACTOR * (usual or 0.0))
    return ArrivalRate(recent=recent, usual=usual, spike=recent >= threshold)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def campaign_arrivals(session: Session, now: datetime) -> dict[str, ArrivalRate]:
    """Each campaign's arrival rate, by its virtual station's id; one grouped query."""
    recent_from = now - WINDOW
    baseline_from = recent_from - BASELINE
    arrived = InboxEnvelope.received_at
    rows = session.execute(
        select(
            Campaign.station_id,
            Campaign.opened_at,
            func.coalesce(func.sum(case((arrived >= recent_from, 1), else_=0)), 0),
            func.coalesce(func.sum(case((arrived < recent_from, 1), else_=0)), 0),
        )
        .outerjoin(
            InboxEnvelope,
            and_(InboxEnvelope.station_id == Campaign.station_id, arrived >= baseline_from),
        )
        .group_by(Campaign.station_id, Campaign.opened_at)
    )
    rates: dict[str, ArrivalRate] = {}
    for station_id, opened_at, recent, earlier in rows:
        since = max(_aware(opened_at), baseline_from)
        span = max(recent_from - since, timedelta(0))
        rates[station_id] = arrival_rate(int(recent), int(earlier), span)
    return rates
