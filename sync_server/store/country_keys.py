"""Which survey key each country's stations seal to now: one row per country
(`survey_keys`), set by `mss server survey-key new` and by registering a country's key.
Here, below both, so that intake sets it without reaching the module that reads private
key files."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from crypto import SurveyPublicKey
from sync_server.store.models import SurveyKey


def set_country_key(session: Session, country: str, public: SurveyPublicKey, now: datetime) -> None:
    """From now on, `country`'s bundles, enrolments and beacon answers carry `public`."""
    stored = session.get(SurveyKey, country)
    if stored is None:
        session.add(SurveyKey(country=country, public_key=public.to_text(), registered_at=now))
    else:
        stored.public_key = public.to_text()
        stored.registered_at = now
