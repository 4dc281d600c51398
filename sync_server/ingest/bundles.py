"""Provisioning bundles: a fresh enrolment token with everything a station is made from.

The coordinator carries the bundle to the tablet (`mss station provision`); its format is
`protocol.provisioning.ProvisioningBundle`. The specs travel inside it, so a tablet is
filled with the questionnaires the coordinator saw registered, not whatever the server
lists on the day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from crypto import OperatorPublicKey
from protocol.provisioning import BundledSpec, ProvisioningBundle
from protocol.wire import wire_time
from questionnaire_specs import SpecError, load_spec_body
from sync_server.ingest.enrolment import Clock, RandomBytes, issue_enrolment_token
from sync_server.ingest.specs import identities_in, register_survey_key
from sync_server.store.country_keys import operator_public_key
from sync_server.store.models import KnownSpec, SurveyKey


@dataclass(frozen=True)
class StationPlace:
    """Where the station will work, and the server it will reach."""

    country: str
    region: str
    populations: tuple[str, ...]
    server_url: str


def issue_bundle(
    session_factory: sessionmaker[Session],
    place: StationPlace,
    *,
    lifetime: timedelta,
    survey_public_key: str,
    clock: Clock,
    random_bytes: RandomBytes,
) -> ProvisioningBundle:
    """A bundle with a new single-use token, for the registered specs of the place's
    populations. `survey_public_key` is registered for the country when it has none yet;
    an already registered key wins. It carries the operator key, when the server has one,
    for the station to pin. ValueError (nothing issued) when no spec fits;
    Problem from token issuing."""
    specs = specs_for(session_factory, place.populations)
    if not specs:
        raise ValueError(f"no registered spec is for {', '.join(place.populations)}")
    with session_factory() as session:
        registered = session.get(SurveyKey, place.country)
        survey_key = registered.public_key if registered is not None else None
        operator = operator_public_key(session)
    if survey_key is None:
        register_survey_key(session_factory, place.country, survey_public_key, clock=clock)
        survey_key = survey_public_key
    token, expires_at = issue_enrolment_token(
        session_factory,
        country=place.country,
        region=place.region,
        populations=list(place.populations),
        lifetime=lifetime,
        clock=clock,
        random_bytes=random_bytes,
        server_url=place.server_url,
    )
    return ProvisioningBundle(
        server_url=place.server_url,
        token=token,
        expires_at=wire_time(expires_at),
        survey_public_key=survey_key,
        country=place.country,
        region=place.region,
        populations=list(place.populations),
        specs=specs,
        operator_public_key=operator,
    )


def registered_populations(session_factory: sessionmaker[Session]) -> list[str]:
    """Every population the registered specs declare (CIPS: officials, private_sector; an
    imported XLSForm: its own, or `all`), in the order the specs first declare them."""
    found: list[str] = []
    with session_factory() as session:
        for identity in identities_in(session):
            body = session.get(KnownSpec, (identity.id, identity.version)).body
            try:
                spec = load_spec_body(body)
            except SpecError:
                continue
            found.extend(p.id for p in spec.populations if p.id not in found)
    return found


def specs_for(
    session_factory: sessionmaker[Session], populations: tuple[str, ...]
) -> list[BundledSpec]:
    """Every registered spec that asks one of `populations`, with its body (a registered
    body that no longer loads is left out: the station would refuse it)."""
    chosen: list[BundledSpec] = []
    with session_factory() as session:
        for identity in identities_in(session):
            body = session.get(KnownSpec, (identity.id, identity.version)).body
            try:
                spec = load_spec_body(body)
            except SpecError:
                continue
            if any(p.id in populations for p in spec.populations):
                chosen.append(BundledSpec(**identity.model_dump(), canonical_json=body))
    return chosen


def operator_fingerprint(bundle: ProvisioningBundle) -> str | None:
    """The fingerprint of the operator key the station will pin, for the coordinator to
    compare with the one written down at the key's ceremony; None: the bundle has none, so
    the station will never switch survey keys."""
    if bundle.operator_public_key is None:
        return None
    return OperatorPublicKey.from_text(bundle.operator_public_key).fingerprint()
