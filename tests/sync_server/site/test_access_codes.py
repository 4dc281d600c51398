"""Campaigns with one-time access codes, on the real site app (SQLite and PostgreSQL): a code
buys one blind signature (RFC 9474), once; the token it finalizes into pays for one envelope
and is spent; a forged, foreign or replayed token is refused with nothing stored; a retry of
the same envelope needs none; and nothing in the store links a code, its token and the
envelope, nor holds what the signer saw."""

from __future__ import annotations

import os
import random
import stat

import pytest
from sqlalchemy import func, inspect, select, text

from crypto import TokenPublicKey, TokenSigningKey
from sync_server.site.access_codes import (
    NONCE_BYTES,
    from_base64url,
    issue_codes,
    normalised_code,
    to_base64url,
    token_message,
)
from sync_server.site.campaigns import CampaignPlan, open_campaign
from sync_server.site.token_keys import TokenKeys
from sync_server.store.campaign_models import CampaignAccessCode, SubmissionToken
from sync_server.store.models import InboxEnvelope, QuarantinedEnvelope
from tests.sync_server.site.conftest import SPEC, call, sealed_submission, site_response


@pytest.fixture
def coded(site_app, campaign, session_factory, clock, survey_key):
    plan = CampaignPlan("SL", "2026", ("officials",), SPEC.id, None, requires_codes=True)
    view = open_campaign(session_factory, plan, public_key=survey_key.public_key().to_text(),
                         clock=clock, random_bytes=random.Random(9).randbytes)  # fmt: skip
    codes = issue_codes(session_factory, view.slug, 3, clock=clock,
                        random_bytes=random.Random(10).randbytes)  # fmt: skip
    return view, codes


def token_key(app, slug) -> TokenPublicKey:
    answer = call(app, "GET", f"/s/{slug}/token-key")
    assert answer.status_code == 200, answer.text
    document = answer.json()
    assert document["variant"] == "RSABSSA-SHA384-PSS-Deterministic"
    key = TokenPublicKey.from_jwk(document)
    assert document["key_id"] == key.key_id()
    return key


def redeem(app, slug, code, blinded: bytes):
    body = {"code": code, "blinded": to_base64url(blinded)}
    return call(app, "POST", f"/s/{slug}/codes", json=body)


def buy_token(app, slug, code) -> tuple[str, dict[str, bytes]]:
    """What blind_tokens.js does, in Python: the token, and what the signer saw."""
    key = token_key(app, slug)
    nonce = os.urandom(NONCE_BYTES)
    message = token_message(slug, nonce)
    blinded = key.blind(message)
    granted = redeem(app, slug, code, blinded.message)
    assert granted.status_code == 200, granted.text
    blind_signature = from_base64url(granted.json()["blind_signature"])
    signature = key.finalize(message, blind_signature, blinded.inverse)
    seen = {"blinded": blinded.message, "blind_signature": blind_signature}
    return to_base64url(nonce + signature), seen


def submit(app, view, token=None, **changes):
    body = sealed_submission(view, site_response(**changes))
    if token is not None:
        body["token"] = token
    return body, call(app, "POST", f"/s/{view.slug}/envelopes", json=body)


def inbox_count(session_factory) -> int:
    with session_factory() as session:
        return len(list(session.scalars(select(InboxEnvelope.envelope_id))))


def test_a_code_buys_one_token_which_pays_for_one_envelope(site_app, coded, session_factory):
    view, codes = coded
    assert len(codes) == 3 and all(len(code) == 14 for code in codes)
    typed = codes[0].lower().replace("-", " ")  # as a person may type it
    token, _seen = buy_token(site_app, view.slug, typed)
    key = token_key(site_app, view.slug)
    again = redeem(site_app, view.slug, codes[0], key.blind(b"x" * 32).message)
    assert (again.status_code, again.json()["code"]) == (409, "code-used")
    unknown = redeem(site_app, view.slug, "AAAA-AAAA-AAAA", key.blind(b"x" * 32).message)
    assert (unknown.status_code, unknown.json()["code"]) == (403, "code-unknown")

    body, without = submit(site_app, view)
    assert (without.status_code, without.json()["code"]) == (403, "code-required")
    paid = call(site_app, "POST", f"/s/{view.slug}/envelopes", json={**body, "token": token})
    assert paid.status_code == 200 and paid.json()["status"] == "accepted"
    # The same envelope again (a lost answer): a duplicate, whether or not it names the token.
    retry = call(site_app, "POST", f"/s/{view.slug}/envelopes", json=body)
    assert retry.json()["status"] == "duplicate"
    retry = call(site_app, "POST", f"/s/{view.slug}/envelopes", json={**body, "token": token})
    assert retry.json()["status"] == "duplicate"
    # A new envelope cannot ride on the spent token.
    _body, spent = submit(site_app, view, token)
    assert (spent.status_code, spent.json()["code"]) == (409, "token-spent")
    assert inbox_count(session_factory) == 1


def test_forged_and_foreign_tokens_are_refused_and_nothing_is_stored(
    site_app, coded, campaign, session_factory
):
    view, codes = coded
    key = token_key(site_app, view.slug)
    nonce = os.urandom(NONCE_BYTES)
    stranger = TokenSigningKey.generate()
    # Signed by another key over the right message (blindly, as the site would sign).
    blinded = stranger.public_key().blind(token_message(view.slug, nonce))
    foreign = stranger.public_key().finalize(
        token_message(view.slug, nonce), stranger.blind_sign(blinded.message), blinded.inverse
    )
    # The campaign's own signature, but over another campaign's message.
    other = token_message(campaign.slug, nonce)
    blinded = key.blind(other)
    granted = redeem(site_app, view.slug, codes[1], blinded.message)
    elsewhere = key.finalize(other, from_base64url(granted.json()["blind_signature"]),
                             blinded.inverse)  # fmt: skip
    for token in (
        to_base64url(nonce + foreign),
        to_base64url(nonce + elsewhere),
        to_base64url(nonce + os.urandom(key.size)),
        to_base64url(nonce),
        "A" * 50,
    ):
        _body, answer = submit(site_app, view, token)
        assert (answer.status_code, answer.json()["code"]) == (403, "token-invalid"), token
    _body, malformed = submit(site_app, view, "A" * 49)  # not base64url's length
    assert malformed.status_code == 400
    assert malformed.headers["content-type"] == "application/problem+json"
    assert inbox_count(session_factory) == 0
    with session_factory() as session:
        assert list(session.scalars(select(SubmissionToken.token_sha256))) == []


def test_a_malformed_blinded_message_leaves_the_code_unused(site_app, coded):
    view, codes = coded
    key = token_key(site_app, view.slug)
    for blinded in (b"\x01" * (key.size - 1), b"\xff" * key.size, b""):
        answer = redeem(site_app, view.slug, codes[2], blinded)
        assert answer.status_code in (400, 422), answer.text
        assert answer.headers["content-type"] == "application/problem+json"
    token, _seen = buy_token(site_app, view.slug, codes[2])  # the code still works
    assert submit(site_app, view, token)[1].status_code == 200


def test_a_code_of_another_campaign_or_a_code_free_one_is_refused(site_app, coded, campaign):
    view, codes = coded
    key = token_key(site_app, view.slug)
    answer = redeem(site_app, campaign.slug, codes[1], key.blind(b"x" * 32).message)
    assert answer.json()["code"] == "invalid-request"
    assert call(site_app, "GET", f"/s/{campaign.slug}/token-key").json()["code"] == (
        "invalid-request"
    )
    assert call(site_app, "GET", "/s/aaaaaaaaaaaaaaaa/token-key").status_code == 404
    assert normalised_code(" abcd efgh-ijkl ") == "ABCD-EFGH-IJKL"


def test_the_key_is_made_once_kept_private_and_shared_by_workers(site_app, coded, site_settings):
    view, codes = coded
    token, _seen = buy_token(site_app, view.slug, codes[0])
    path = TokenKeys.in_data_dir(site_settings.data_dir).path(view.slug)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # Another worker (a fresh key store) reads the same key: the token verifies there too.
    fresh = TokenKeys.in_data_dir(site_settings.data_dir)
    assert fresh.public_key(view.slug) == token_key(site_app, view.slug)
    with pytest.raises(ValueError):
        fresh.path("../central")


def test_nothing_in_the_store_links_a_code_a_token_or_an_envelope(
    site_app, coded, engine, session_factory
):
    view, codes = coded
    token, seen = buy_token(site_app, view.slug, codes[0])
    assert submit(site_app, view, token)[1].status_code == 200
    columns = {
        table: {column["name"] for column in inspect(engine).get_columns(table)}
        for table in ("campaign_access_codes", "campaign_submission_tokens")
    }
    # No time of use or of spending, nothing in common.
    assert columns == {
        "campaign_access_codes": {"code_sha256", "slug", "issued_at", "used"},
        "campaign_submission_tokens": {"token_sha256", "slug", "spent"},
    }
    with session_factory() as session:
        assert list(session.scalars(select(CampaignAccessCode.used))).count(True) == 1
        [spent] = session.scalars(select(SubmissionToken.token_sha256))
    # What the signer saw (the blinded message and its blind signature) is nowhere in the
    # store, and the spent token's digest is computed from what it never saw.
    everything = b""
    with engine.connect() as connection:
        for table in inspect(engine).get_table_names():
            query = text(f'SELECT * FROM "{table}"')  # noqa: S608 - our own table names
            for row in connection.execute(query):
                everything += repr(tuple(row)).encode()
    for value in seen.values():
        for form in (value.hex().encode(), to_base64url(value).encode()):
            assert form not in everything
    assert to_base64url(seen["blinded"]).encode() not in everything
    assert spent.encode() in everything


def test_a_retry_across_the_v5_upgrade_with_the_same_token_is_the_same_response(
    site_app, coded, session_factory
):
    """A page loaded before v5 sealed and sent a v3 envelope with its token; the answer was
    lost; the page, now v5, sends the same sealed bytes again with the same token, labelled
    v5. It is the response already stored: a duplicate with the first receipt, not a
    conflict, not a spent token, and nothing quarantined."""
    view, codes = coded
    token, _seen = buy_token(site_app, view.slug, codes[2])
    body = {**sealed_submission(view, site_response(), v=3), "token": token}
    assert "v" not in body
    first = call(site_app, "POST", f"/s/{view.slug}/envelopes", json=body)
    assert first.status_code == 200 and first.json()["status"] == "accepted"
    relabelled = call(site_app, "POST", f"/s/{view.slug}/envelopes", json={**body, "v": 5})
    assert relabelled.status_code == 200, relabelled.text
    assert relabelled.json() == {**first.json(), "status": "duplicate"}
    with session_factory() as session:
        rows = session.execute(select(InboxEnvelope.envelope_v, InboxEnvelope.state)).all()
        assert [tuple(row) for row in rows] == [(3, "pending")]
        assert session.scalar(select(func.count()).select_from(QuarantinedEnvelope)) == 0
