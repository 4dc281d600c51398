"""Campaigns: one country, wave, population(s) and spec, reached at /s/<slug>, sending into
the inbox as a virtual station (site_<slug>) so that the intake rules hold unchanged."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from protocol.problems import Problem
from protocol.wire import SpecIdentityWire
from questionnaire_specs import load_spec_body
from sync_server.store.campaign_models import Campaign
from sync_server.store.models import KnownSpec, Station
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]
RandomBytes = Callable[[int], bytes]

SITE_STATION_PREFIX = "site_"
SITE_REGION = "online"
SLUG_PATTERN = re.compile(r"[a-z2-7]{16}")


@dataclass(frozen=True)
class CampaignPlan:
    """What an administrator asks for; `spec_version` None means the newest registered."""

    country: str
    wave: str
    populations: tuple[str, ...]
    spec_id: str
    spec_version: str | None
    requires_codes: bool = False


@dataclass(frozen=True)
class CampaignView:
    slug: str
    station_id: str
    country: str
    wave: str
    populations: tuple[str, ...]
    spec: SpecIdentityWire
    public_key: str
    requires_codes: bool
    status: str
    received: int
    duplicates: int

    def summary(self) -> dict[str, object]:
        return {
            "slug": self.slug,
            "station_id": self.station_id,
            "country": self.country,
            "wave": self.wave,
            "populations": list(self.populations),
            "spec": self.spec.model_dump(),
            "requires_codes": self.requires_codes,
            "status": self.status,
            "received": self.received,
            "duplicates": self.duplicates,
        }


def new_slug(random_bytes: RandomBytes) -> str:
    """16 characters of base32: unguessable, so links cannot be enumerated."""
    return base64.b32encode(random_bytes(10)).decode("ascii").lower()


def _semver_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def _registered_spec(session: Session, spec_id: str, version: str | None) -> KnownSpec:
    rows = list(session.scalars(select(KnownSpec).where(KnownSpec.spec_id == spec_id)))
    if version is not None:
        rows = [row for row in rows if row.version == version]
    if not rows:
        wanted = spec_id if version is None else f"{spec_id} {version}"
        raise Problem("unknown-spec", f"the spec {wanted} is not registered on this server")
    return max(rows, key=lambda row: _semver_key(row.version))


def open_campaign(
    session_factory: sessionmaker[Session],
    plan: CampaignPlan,
    *,
    public_key: str,
    clock: Clock,
    random_bytes: RandomBytes,
) -> CampaignView:
    """A new open campaign and its virtual station; `public_key` is the survey public key
    (text form) the browsers will seal to."""
    if not plan.populations:
        raise ValueError("a campaign needs at least one population")

    def work(session: Session) -> str:
        spec = _registered_spec(session, plan.spec_id, plan.spec_version)
        known = [population.id for population in load_spec_body(spec.body).populations]
        unknown = sorted(set(plan.populations) - set(known))
        if unknown:
            raise Problem(
                "invalid-request",
                f"the spec {spec.spec_id} {spec.version} has no population "
                f"{', '.join(unknown)} (it has {', '.join(known)})",
            )
        slug = new_slug(random_bytes)
        now = clock()
        station_id = SITE_STATION_PREFIX + slug
        session.add(
            Station(
                station_id=station_id,
                # Not an Ed25519 key (the wrong length): nothing can ever verify as signed by
                # it, and station batches cannot name a site_ station anyway.
                public_key=f"site:{slug}".encode(),
                country=plan.country,
                region=SITE_REGION,
                populations=list(plan.populations),
                status="active",
                app_version="online site",
                enrolled_at=now,
                last_batch_seq=0,
                last_envelope_seq=0,
                envelopes_received=0,
                duplicates=0,
                conflicts=0,
            )
        )
        session.flush()
        session.add(
            Campaign(
                slug=slug,
                station_id=station_id,
                country=plan.country,
                wave=plan.wave,
                populations=list(plan.populations),
                spec_id=spec.spec_id,
                spec_version=spec.version,
                public_key=public_key,
                requires_codes=plan.requires_codes,
                status="open",
                opened_at=now,
            )
        )
        return slug

    slug = in_transaction(session_factory, work)
    return campaign_view(session_factory, slug)


def close_campaign(session_factory: sessionmaker[Session], slug: str, *, clock: Clock) -> None:
    """Refuse every submission from now on; what is stored stays (its station is revoked,
    so the fleet view shows it closed too)."""

    def work(session: Session) -> None:
        campaign = session.get(Campaign, slug, with_for_update=True)
        if campaign is None:
            raise Problem("unknown-campaign", f"there is no campaign {slug}")
        if campaign.status == "closed":
            return
        now = clock()
        campaign.status, campaign.closed_at = "closed", now
        station = session.get(Station, campaign.station_id, with_for_update=True)
        assert station is not None  # the campaign's FK
        station.status, station.revoked_at = "revoked", now

    in_transaction(session_factory, work)


def _view(session: Session, campaign: Campaign) -> CampaignView:
    spec = session.get(KnownSpec, (campaign.spec_id, campaign.spec_version))
    station = session.get(Station, campaign.station_id)
    assert spec is not None and station is not None  # the campaign's FKs
    return CampaignView(
        slug=campaign.slug,
        station_id=campaign.station_id,
        country=campaign.country,
        wave=campaign.wave,
        populations=tuple(campaign.populations),
        spec=SpecIdentityWire(id=spec.spec_id, version=spec.version, sha256=spec.sha256),
        public_key=campaign.public_key,
        requires_codes=campaign.requires_codes,
        status=campaign.status,
        received=station.envelopes_received,
        duplicates=station.duplicates,
    )


def campaign_view(session_factory: sessionmaker[Session], slug: str) -> CampaignView:
    """The campaign (open or closed); unknown-campaign if there is none."""
    with session_factory() as session:
        campaign = session.get(Campaign, slug)
        if campaign is None:
            raise Problem("unknown-campaign", "there is no survey campaign at this address")
        return _view(session, campaign)


def open_campaign_view(session_factory: sessionmaker[Session], slug: str) -> CampaignView:
    """The campaign if it takes answers; unknown-campaign or campaign-closed otherwise."""
    view = campaign_view(session_factory, slug)
    if view.status != "open":
        raise Problem("campaign-closed", "this survey campaign is closed: thank you")
    return view


def list_campaigns(session_factory: sessionmaker[Session]) -> list[CampaignView]:
    with session_factory() as session:
        rows = session.scalars(select(Campaign).order_by(Campaign.opened_at, Campaign.slug))
        return [_view(session, campaign) for campaign in rows]


def spec_body(session_factory: sessionmaker[Session], spec: SpecIdentityWire) -> str:
    with session_factory() as session:
        row = session.get(KnownSpec, (spec.id, spec.version))
        assert row is not None  # a campaign's FK
        return row.body
