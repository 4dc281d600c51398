"""Enrolment: single-use, expiring tokens that register a station's public key."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from protocol.limits import PROTOCOL_VERSION
from protocol.problems import Problem
from protocol.wire import EnrolmentRequest, EnrolmentResponse, wire_time
from sync_server.ingest.specs import identities_in
from sync_server.store.models import EnrolmentToken, Station, SurveyKey
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]
RandomBytes = Callable[[int], bytes]

TOKEN_BYTES = 15  # 120 bits: 24 base32 characters, printed in groups of four
STATION_ID_CHARS = 12


def normalise_token(token: str) -> str:
    """What a coordinator typed or scanned, as issued: upper case, no spaces or dashes."""
    return "".join(ch for ch in token.upper() if ch not in " -\t\r\n")


def token_sha256(token: str) -> str:
    return hashlib.sha256(normalise_token(token).encode("ascii", errors="replace")).hexdigest()


def _format_token(raw: bytes) -> str:
    text = base64.b32encode(raw).decode("ascii").rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def issue_enrolment_token(
    session_factory: sessionmaker[Session],
    *,
    country: str,
    region: str,
    populations: list[str],
    lifetime: timedelta,
    clock: Clock,
    random_bytes: RandomBytes,
    server_url: str | None = None,
) -> tuple[str, datetime]:
    """A new single-use token (shown once; only its hash is stored) and its expiry."""
    if not country.strip() or not region.strip() or not populations:
        raise ValueError("a token needs a country, a region and at least one population")
    if lifetime <= timedelta(0):
        raise ValueError("the token lifetime must be positive")
    raw = random_bytes(TOKEN_BYTES)
    if len(raw) != TOKEN_BYTES:
        raise ValueError("the random source gave the wrong number of bytes")
    token = _format_token(raw)
    now = clock()
    expires_at = now + lifetime

    def work(session: Session) -> None:
        if session.get(SurveyKey, country) is None:
            raise Problem(
                "survey-key-missing",
                f"no survey public key is registered for {country}: register it before "
                "issuing enrolment tokens",
            )
        session.add(
            EnrolmentToken(
                token_sha256=token_sha256(token),
                country=country,
                region=region,
                populations=list(populations),
                server_url=server_url,
                issued_at=now,
                expires_at=expires_at,
            )
        )

    in_transaction(session_factory, work)
    return token, expires_at


def _new_station_id(random_bytes: RandomBytes) -> str:
    text = base64.b32encode(random_bytes(8)).decode("ascii").lower()
    return "st_" + text[:STATION_ID_CHARS]


def enrol_station(
    session_factory: sessionmaker[Session],
    request: EnrolmentRequest,
    *,
    clock: Clock,
    random_bytes: RandomBytes,
) -> EnrolmentResponse:
    """Use the token, create the station (one transaction) and tell it what it needs.

    Problems: token-unknown, token-used, token-expired, station-key-reused.
    """

    def work(session: Session) -> EnrolmentResponse:
        now = clock()
        digest = token_sha256(request.token)
        token = session.get(EnrolmentToken, digest)
        if token is None:
            raise Problem("token-unknown", "this enrolment token is not known to this server")
        if token.used_at is not None:
            # The same tablet asking again (its first answer was lost on the way back): the
            # same answer, not a burnt token and a station no tablet has.
            again = session.get(Station, token.station_id) if token.station_id else None
            if (
                again is None
                or again.status != "active"
                or again.public_key != request.public_key_bytes()
            ):
                raise Problem("token-used", "this enrolment token was already used")
            return _answer(session, again, now)
        if now >= token.expires_at:
            raise Problem(
                "token-expired",
                f"this enrolment token expired at {wire_time(token.expires_at)}: ask for a new one",
            )
        public_key = request.public_key_bytes()
        taken = session.scalar(select(Station.station_id).where(Station.public_key == public_key))
        if taken is not None:
            raise Problem("station-key-reused", "this station key is already enrolled")
        survey_key = session.get(SurveyKey, token.country)
        if survey_key is None:
            raise Problem(
                "survey-key-missing", f"no survey public key is registered for {token.country}"
            )
        station_id = _new_station_id(random_bytes)
        session.add(
            Station(
                station_id=station_id,
                public_key=public_key,
                country=token.country,
                region=token.region,
                populations=list(token.populations),
                status="active",
                app_version=request.app_version,
                enrolled_at=now,
                last_batch_seq=0,
                last_envelope_seq=0,
                envelopes_received=0,
                duplicates=0,
                conflicts=0,
            )
        )
        session.flush()
        # Conditional update: of two concurrent enrolments with one token, one wins.
        marked = session.execute(
            update(EnrolmentToken)
            .where(EnrolmentToken.token_sha256 == digest, EnrolmentToken.used_at.is_(None))
            .values(used_at=now, station_id=station_id)
            .execution_options(synchronize_session=False)
        )
        if marked.rowcount != 1:
            raise Problem("token-used", "this enrolment token was already used")
        return _answer(session, session.get(Station, station_id), now)

    return in_transaction(session_factory, work)


def _answer(session: Session, station: Station, now: datetime) -> EnrolmentResponse:
    survey_key = session.get(SurveyKey, station.country)
    if survey_key is None:
        raise Problem(
            "survey-key-missing", f"no survey public key is registered for {station.country}"
        )
    return EnrolmentResponse(
        v=PROTOCOL_VERSION,
        station_id=station.station_id,
        country=station.country,
        region=station.region,
        populations=list(station.populations),
        survey_public_key=survey_key.public_key,
        specs=identities_in(session),
        server_time=wire_time(now),
    )


def revoke_station(
    session_factory: sessionmaker[Session], station_id: str, *, clock: Clock
) -> bool:
    """Refuse the station's batches and beacons from now on. False if already revoked."""

    def work(session: Session) -> bool:
        station = session.execute(
            select(Station).where(Station.station_id == station_id).with_for_update()
        ).scalar_one_or_none()
        if station is None:
            raise Problem("unknown-station", f"station {station_id} is not enrolled")
        if station.status == "revoked":
            return False
        station.status = "revoked"
        station.revoked_at = clock()
        return True

    return in_transaction(session_factory, work)
