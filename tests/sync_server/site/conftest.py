"""The site's fixtures: a store (SQLite and PostgreSQL) with the example spec registered, a
survey key, an open campaign, the real site app; and envelopes sealed the way the browser
seals them (HPKE with AES-128-GCM to the campaign's key, the v4 context naming its virtual
station and the key's id: envelope v5; or v3's, as pages of before sealed), here in Python."""

from __future__ import annotations

import asyncio
import base64
import random
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from crypto import AES_128_GCM, SurveyPublicKey, generate_survey_key, seal
from protocol import ENVELOPE_V_SITE, ENVELOPE_V_SITE_KEYED, seal_info_of
from protocol.response import response_plaintext
from questionnaire_specs import canonical_json as spec_canonical_json
from questionnaire_specs import load_spec
from sync_server.ingest import register_spec
from sync_server.settings import Settings
from sync_server.site.app import create_site_app
from sync_server.site.campaigns import CampaignPlan, CampaignView, open_campaign
from sync_server.site.rate_limits import SiteLimits
from tests.sync_server.builders import FakeClock
from tests.sync_server.processor.test_process import GOOD_ANSWERS, SPEC_PATH

SPEC = load_spec(SPEC_PATH)


class ManualMonotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def survey_key():
    return generate_survey_key()


@pytest.fixture
def campaign(session_factory: sessionmaker[Session], clock: FakeClock, survey_key) -> CampaignView:
    register_spec(session_factory, spec_canonical_json(SPEC), clock=clock)
    plan = CampaignPlan("SL", "2026", ("officials",), SPEC.id, None)
    return open_campaign(
        session_factory, plan, public_key=survey_key.public_key().to_text(), clock=clock,
        random_bytes=random.Random(3).randbytes,
    )  # fmt: skip


@pytest.fixture
def monotonic() -> ManualMonotonic:
    return ManualMonotonic()


@pytest.fixture
def site_settings(tmp_path: Path, database_url: str, clock: FakeClock) -> Settings:
    return Settings(
        data_dir=tmp_path, database_url=database_url, clock=clock,
        random_bytes=random.Random(5).randbytes,
    )  # fmt: skip


@pytest.fixture
def site_app(site_settings: Settings, campaign: CampaignView, monotonic) -> FastAPI:
    app = create_site_app(site_settings, limits=SiteLimits(), monotonic=monotonic)
    yield app
    app.state.server.engine.dispose()


def site_response(**changes: Any) -> dict[str, Any]:
    """A complete response to the example spec, as the browser builds it."""
    return {
        "v": 1,
        "answers": dict(GOOD_ANSWERS),
        "spec": SPEC.identity.as_dict(),
        "language": "en",
        "population": "officials",
        "country": "SL",
        "region": "online",
        "completed_on": "2026-11-29",
        "duration_s": 300,
        "complete": True,
        **changes,
    }


def sealed_submission(
    campaign: CampaignView,
    response: dict[str, Any],
    *,
    envelope_id: str | None = None,
    v: int = ENVELOPE_V_SITE_KEYED,
) -> dict[str, Any]:
    """The JSON body the browser POSTs: sealed like site.js seals (v5, binding the campaign's
    key id), or, with `v=3`, as a page loaded before v5 sealed it (no `v` in the body)."""
    envelope_id = envelope_id or str(uuid.uuid4())
    public = SurveyPublicKey.from_text(campaign.public_key)
    info = seal_info_of(v, envelope_id, campaign.spec, campaign.station_id, public.key_id())
    sealed = seal(response_plaintext(SPEC, response), public, info=info, aead=AES_128_GCM)
    body = {
        "envelope_id": envelope_id,
        "spec": campaign.spec.model_dump(),
        "sealed": base64.b64encode(sealed).decode(),
    }
    return body if v == ENVELOPE_V_SITE else {**body, "v": v}


def call(app: FastAPI, method: str, url: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://site.test") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())
