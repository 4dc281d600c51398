"""Which survey key each country's stations seal to now: one row per country
(`survey_keys`), set by `mss server survey-key new` and by registering a country's key;
the operator key stations pin, and the operator's signed record of each ring key, which
beacon answers carry. Here, below both, so that intake sets it without reaching the module
that reads private key files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crypto import SurveyPublicKey
from protocol.wire import SignedSurveyKey, SurveyKeyRecord, wire_time
from sync_server.store.models import OperatorKeyRow, RingKey, SurveyKey


def set_country_key(session: Session, country: str, public: SurveyPublicKey, now: datetime) -> None:
    """From now on, `country`'s bundles, enrolments and beacon answers carry `public`."""
    stored = session.get(SurveyKey, country)
    if stored is None:
        session.add(SurveyKey(country=country, public_key=public.to_text(), registered_at=now))
    else:
        stored.public_key = public.to_text()
        stored.registered_at = now


def ring_record(row: RingKey) -> SurveyKeyRecord:
    """The record the operator signs for a ring key (its country and wave are set: only the
    first key has none, and it is never announced signed)."""
    return SurveyKeyRecord(
        key_id=row.key_id, country=row.country or "", wave=row.wave or "",
        public_key=row.public_key, kem=row.kind, created=wire_time(row.created_at),
    )  # fmt: skip


def signed_country_key(session: Session, public_key: str) -> SignedSurveyKey | None:
    """The operator's signed record of a key, for a beacon answer; None when it has none (or
    its row cannot make a record: stations then keep their key, and the beacon is answered)."""
    row = session.get(RingKey, SurveyPublicKey.from_text(public_key).key_id())
    if row is None or row.signature is None:
        return None
    try:
        return SignedSurveyKey(record=ring_record(row), signature=row.signature)
    except ValueError:
        return None


def operator_public_key(session: Session) -> str | None:
    """The operator key stations pin (the one last registered), if the server has one."""
    return session.scalars(
        select(OperatorKeyRow.public_key).order_by(OperatorKeyRow.registered_at.desc())
    ).first()
