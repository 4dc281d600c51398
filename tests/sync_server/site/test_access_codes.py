"""Campaigns with one-time access codes, on the real site app (SQLite and PostgreSQL): a code
buys one token, once; an envelope needs an unspent token, and spends it; a retry of the same
envelope needs none; nothing links a code, its token and the envelope in the store."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import inspect

from sync_server.site.access_codes import issue_codes, normalised_code
from sync_server.site.campaigns import CampaignPlan, open_campaign
from tests.sync_server.site.conftest import SPEC, call, sealed_submission, site_response


@pytest.fixture
def coded(site_app, campaign, session_factory, clock, survey_key):
    plan = CampaignPlan("SL", "2026", ("officials",), SPEC.id, None, requires_codes=True)
    view = open_campaign(session_factory, plan, public_key=survey_key.public_key().to_text(),
                         clock=clock, random_bytes=random.Random(9).randbytes)  # fmt: skip
    codes = issue_codes(session_factory, view.slug, 3, clock=clock,
                        random_bytes=random.Random(10).randbytes)  # fmt: skip
    return view, codes


def redeem(app, slug, code):
    return call(app, "POST", f"/s/{slug}/codes", json={"code": code})


def test_a_code_buys_one_token_which_pays_for_one_envelope(site_app, coded):
    view, codes = coded
    assert len(codes) == 3 and all(len(code) == 14 for code in codes)
    typed = codes[0].lower().replace("-", " ")  # as a person may type it
    granted = redeem(site_app, view.slug, typed)
    assert granted.status_code == 200, granted.text
    token = granted.json()["token"]
    again = redeem(site_app, view.slug, codes[0])
    assert (again.status_code, again.json()["code"]) == (409, "code-used")
    unknown = redeem(site_app, view.slug, "AAAA-AAAA-AAAA")
    assert (unknown.status_code, unknown.json()["code"]) == (403, "code-unknown")

    body = sealed_submission(view, site_response())
    without = call(site_app, "POST", f"/s/{view.slug}/envelopes", json=body)
    assert (without.status_code, without.json()["code"]) == (403, "code-required")
    paid = call(site_app, "POST", f"/s/{view.slug}/envelopes", json={**body, "token": token})
    assert paid.status_code == 200 and paid.json()["status"] == "accepted"
    # The same envelope again (a lost answer): a duplicate, whether or not it names the token.
    retry = call(site_app, "POST", f"/s/{view.slug}/envelopes", json=body)
    assert retry.json()["status"] == "duplicate"
    # A new envelope cannot ride on the spent token.
    other = {**sealed_submission(view, site_response()), "token": token}
    spent = call(site_app, "POST", f"/s/{view.slug}/envelopes", json=other)
    assert (spent.status_code, spent.json()["code"]) == (409, "token-spent")


def test_a_code_of_another_campaign_or_a_code_free_one_is_refused(site_app, coded, campaign):
    view, codes = coded
    assert redeem(site_app, campaign.slug, codes[1]).json()["code"] == "invalid-request"
    assert normalised_code(" abcd efgh-ijkl ") == "ABCD-EFGH-IJKL"


def test_no_column_links_a_code_a_token_or_an_envelope(engine):
    columns = {
        table: {column["name"] for column in inspect(engine).get_columns(table)}
        for table in ("campaign_access_codes", "campaign_submission_tokens")
    }
    assert columns == {
        "campaign_access_codes": {"code_sha256", "slug", "issued_at", "used"},
        "campaign_submission_tokens": {"token_sha256", "slug", "spent"},
    }
