"""POST /s/<campaign>/envelopes on the real site app (SQLite and PostgreSQL): stored in the
inbox through the intake rules, a retry is a duplicate with the same receipt, bad input is a
problem+json 4xx with nothing stored, and the rate limits answer 429 with Retry-After."""

from __future__ import annotations

import base64
import json
import logging

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from protocol import Envelope, SiteEnvelope
from sync_server.site.campaigns import close_campaign
from sync_server.store.models import InboxEnvelope, QuarantinedEnvelope, Station
from tests.sync_server.builders import count_rows
from tests.sync_server.site.conftest import call, sealed_submission, site_response


def post(app, slug, body, **kwargs):
    return call(app, "POST", f"/s/{slug}/envelopes", json=body, **kwargs)


def inbox_rows(session_factory):
    with session_factory() as session:
        return list(session.execute(select(InboxEnvelope.station_id, InboxEnvelope.seq,
                                           InboxEnvelope.envelope_v)).all())  # fmt: skip


def test_a_submission_is_stored_once_and_a_retry_gets_the_same_receipt(
    site_app, campaign, session_factory
):
    body = sealed_submission(campaign, site_response())
    first = post(site_app, campaign.slug, body)
    assert first.status_code == 200, first.text
    receipt = first.json()
    assert receipt["status"] == "accepted" and receipt["envelope_id"] == body["envelope_id"]
    again = post(site_app, campaign.slug, body)
    assert again.status_code == 200
    assert again.json() == {**receipt, "status": "duplicate"}
    assert inbox_rows(session_factory) == [(campaign.station_id, 1, 5)]
    with session_factory() as session:
        station = session.get(Station, campaign.station_id)
        assert (station.envelopes_received, station.duplicates) == (1, 1)
    # No cookie, and the policy that forbids every other host.
    assert "set-cookie" not in first.headers
    assert "default-src 'none'" in first.headers["content-security-policy"]


def test_submissions_get_the_next_sequence_numbers_in_one_chain(
    site_app, campaign, session_factory
):
    for _ in range(3):
        assert post(
            site_app, campaign.slug, sealed_submission(campaign, site_response())
        ).is_success
    with session_factory() as session:
        rows = session.execute(
            select(InboxEnvelope.seq, InboxEnvelope.prev_hash, InboxEnvelope.envelope_hash)
            .where(InboxEnvelope.station_id == campaign.station_id)
            .order_by(InboxEnvelope.seq)
        ).all()
    assert [row.seq for row in rows] == [1, 2, 3]
    assert rows[0].prev_hash == "0" * 64
    assert [row.prev_hash for row in rows[1:]] == [row.envelope_hash for row in rows[:-1]]


def test_same_envelope_id_other_bytes_is_quarantined_and_refused(
    site_app, campaign, session_factory
):
    body = sealed_submission(campaign, site_response())
    assert post(site_app, campaign.slug, body).is_success
    other = sealed_submission(
        campaign, site_response(duration_s=9), envelope_id=body["envelope_id"]
    )
    answer = post(site_app, campaign.slug, other)
    assert answer.status_code == 409
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["code"] == "envelope-conflict"
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(QuarantinedEnvelope)) == 1
    assert len(inbox_rows(session_factory)) == 1


def problem_code(answer) -> tuple[int, str]:
    assert answer.headers["content-type"] == "application/problem+json", answer.text
    return answer.status_code, answer.json()["code"]


def test_bad_input_is_a_problem_and_stores_nothing(
    site_app, campaign, session_factory, engine, clock
):
    good = sealed_submission(campaign, site_response())
    before = count_rows(engine)
    cases = {
        "unknown campaign": (post(site_app, "a" * 16, good), (404, "unknown-campaign")),
        "not a slug": (post(site_app, "../etc", good), (404, "not-found")),
        "bad base64": (post(site_app, campaign.slug, {**good, "sealed": "@@@" * 30}),
                       (422, "invalid-request")),
        "too short": (post(site_app, campaign.slug,
                           {**good, "sealed": base64.b64encode(b"x" * 40).decode()}),
                      (422, "invalid-request")),
        "wrong spec": (post(site_app, campaign.slug,
                            {**good, "spec": {**good["spec"], "version": "9.9.9"}}),
                       (422, "wrong-spec")),
        "extra field": (post(site_app, campaign.slug, {**good, "ip": "1.2.3.4"}),
                        (422, "invalid-request")),
        "not json": (call(site_app, "POST", f"/s/{campaign.slug}/envelopes", content=b"{",
                          headers={"content-type": "application/json"}),
                     (400, "malformed-request")),
        "oversized": (call(site_app, "POST", f"/s/{campaign.slug}/envelopes",
                           content=json.dumps({**good, "sealed": "A" * 70_000}),
                           headers={"content-type": "application/json"}),
                      (413, "payload-too-large")),
        "form post": (call(site_app, "POST", f"/s/{campaign.slug}/envelopes", data={"a": "b"}),
                      (415, "unsupported-media-type")),
    }  # fmt: skip
    for name, (answer, expected) in cases.items():
        assert problem_code(answer) == expected, name
    assert count_rows(engine) == before
    close_campaign(session_factory, campaign.slug, clock=clock)
    assert problem_code(post(site_app, campaign.slug, good)) == (410, "campaign-closed")
    assert inbox_rows(session_factory) == []


def test_rate_limits_answer_429_with_retry_after(site_app, campaign, monotonic):
    bodies = [sealed_submission(campaign, site_response()) for _ in range(31)]
    answers = [post(site_app, campaign.slug, body) for body in bodies]
    assert [a.status_code for a in answers[:30]] == [200] * 30
    assert problem_code(answers[30]) == (429, "too-many-requests")
    assert int(answers[30].headers["retry-after"]) == 5  # one token per 5 s
    # Another address is not held back by this one's flood.
    other = post(site_app, campaign.slug, bodies[30], headers={"x-forwarded-for": "10.0.0.9"})
    # (the test client's peer is 127.0.0.1, a trusted proxy: X-Forwarded-For names the client)
    assert other.status_code == 200
    monotonic.now += 5
    assert post(site_app, campaign.slug, sealed_submission(campaign, site_response())).is_success


def test_a_station_batch_cannot_carry_a_site_envelope():
    # Only the site builds v3 envelopes: a station's batch that claimed one (to be opened as
    # a site response) does not even parse.
    fields = {
        "envelope_id": "6f1c3b1e-4d2a-4c3b-9e8f-0a1b2c3d4e5f",
        "seq": 1,
        "prev": "0" * 64,
        "spec": {"id": "x", "version": "1.0.0", "sha256": "0" * 64},
        "sealed": "AAAA",
    }
    assert SiteEnvelope.model_validate({**fields, "v": 3}).v == 3
    with pytest.raises(ValidationError):
        Envelope.model_validate({**fields, "v": 3})
    with pytest.raises(ValidationError):
        SiteEnvelope.model_validate({**fields, "v": 2})


def test_nothing_about_a_respondent_is_logged(site_app, campaign, caplog):
    body = sealed_submission(campaign, site_response())
    private = {"user-agent": "CanaryAgent/9.9", "x-forwarded-for": "203.0.113.77"}
    with caplog.at_level(logging.DEBUG, logger="sync_server"):
        post(site_app, campaign.slug, body, headers=private)
        post(site_app, campaign.slug, {**body, "sealed": "!" * 80}, headers=private)
        call(site_app, "GET", f"/s/{campaign.slug}", headers=private)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in ("CanaryAgent", "203.0.113.77", body["sealed"][:40], body["envelope_id"]):
        assert secret not in logged


def test_a_page_loaded_before_v5_still_sends_v3_and_a_relabelled_retry_is_a_duplicate(
    site_app, campaign, session_factory
):
    old = sealed_submission(campaign, site_response(), v=3)
    first = post(site_app, campaign.slug, old)
    assert first.status_code == 200 and first.json()["status"] == "accepted"
    # The same sealed bytes, labelled v5 by an upgraded page: the response stored before.
    again = post(site_app, campaign.slug, {**old, "v": 5})
    assert again.json() == {**first.json(), "status": "duplicate"}
    new = sealed_submission(campaign, site_response())
    assert post(site_app, campaign.slug, new).json()["status"] == "accepted"
    assert inbox_rows(session_factory) == [(campaign.station_id, 1, 3), (campaign.station_id, 2, 5)]
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(QuarantinedEnvelope)) == 0
        station = session.get(Station, campaign.station_id)
        assert (station.envelopes_received, station.duplicates, station.conflicts) == (2, 1, 0)
    # Other bytes under a stored id stay a conflict, whatever the label.
    other = sealed_submission(campaign, site_response(), envelope_id=new["envelope_id"], v=3)
    assert post(site_app, campaign.slug, other).status_code == 409
    refused = post(site_app, campaign.slug, {**new, "v": 4})  # a station's version
    assert refused.status_code in (400, 422) and refused.json()["code"]
