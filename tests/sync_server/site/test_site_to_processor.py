"""Contract: envelopes sealed as the browser seals them → the real site app → the processor
(the function `mss server process` runs) → the central store holds exactly what was sent,
once, with channel "site"; the station channel is unchanged beside it."""

from __future__ import annotations

import base64
import json
import uuid

from sqlalchemy import select

from crypto import AES_128_GCM, SurveyPublicKey, generate_survey_key, seal
from protocol import seal_info_of
from protocol.response import response_plaintext
from sync_server.processor import process_inbox
from sync_server.releases.frame import read_frame, read_responses
from sync_server.store.models import InboxEnvelope, ResponseRecord
from tests.sync_server.site.conftest import SPEC, call, sealed_submission, site_response


def test_site_envelopes_are_opened_and_counted_once(site_app, campaign, session_factory,
                                                    survey_key, clock):  # fmt: skip
    sent = [
        site_response(language="en"),
        site_response(language="ar", answers={"consent": 2}, duration_s=40),
    ]
    bodies = [sealed_submission(campaign, response) for response in sent]
    for body in bodies:
        assert call(site_app, "POST", f"/s/{campaign.slug}/envelopes", json=body).is_success
    # A lost answer: the browser sends the first again.
    assert call(site_app, "POST", f"/s/{campaign.slug}/envelopes", json=bodies[0]).is_success

    report = process_inbox(session_factory, survey_key, clock=clock)
    assert (report.processed, report.quarantined) == (2, 0), report.reasons
    with session_factory() as session:
        rows = session.scalars(select(ResponseRecord).order_by(ResponseRecord.language)).all()
    by_language = {row.language: row for row in rows}
    assert sorted(by_language) == ["ar", "en"]
    for response in sent:
        row = by_language[response["language"]]
        assert json.loads(row.answers) == response["answers"]
        assert (row.channel, row.station_id, row.country, row.population) == (
            "site",
            campaign.station_id,
            "SL",
            "officials",
        )
        assert row.duration_s == response["duration_s"]
    # Downstream the channel is a column like any other: the releases' frame carries it.
    frame = read_frame(
        session_factory, read_responses(session_factory, campaign.spec.id, None)
    ).frame
    assert list(frame["channel"]) == ["site", "site"]


def test_a_forged_site_envelope_is_quarantined_not_loaded(site_app, campaign, session_factory,
                                                          survey_key, clock):  # fmt: skip
    body = sealed_submission(campaign, site_response())
    sealed = bytearray(base64.b64decode(body["sealed"]))
    sealed[-1] ^= 1
    body["sealed"] = base64.b64encode(bytes(sealed)).decode()
    assert call(site_app, "POST", f"/s/{campaign.slug}/envelopes", json=body).is_success
    report = process_inbox(session_factory, survey_key, clock=clock)
    assert report.reasons == {"cannot-open": 1}
    with session_factory() as session:
        assert session.scalar(select(InboxEnvelope.state)) == "quarantined"
        assert session.scalars(select(ResponseRecord)).all() == []


def test_a_site_envelope_names_its_campaigns_key_and_waits_for_it(
    site_app, campaign, session_factory, survey_key, clock
):
    body = sealed_submission(campaign, site_response())
    assert call(site_app, "POST", f"/s/{campaign.slug}/envelopes", json=body).is_success
    with session_factory() as session:
        assert session.scalar(select(InboxEnvelope.key_id)) == survey_key.public_key().key_id()
    # Another wave's processor leaves it for the campaign's key, named.
    other = process_inbox(session_factory, generate_survey_key(), clock=clock)
    assert (other.processed, other.quarantined) == (0, 0)
    assert other.left_for_keys == {survey_key.public_key().key_id(): 1}
    assert process_inbox(session_factory, survey_key, clock=clock).processed == 1


def test_v5_binds_the_campaigns_key_id_and_v3_still_opens(
    site_app, campaign, session_factory, survey_key, clock
):
    key_id = survey_key.public_key().key_id()
    for v in (3, 5):
        body = sealed_submission(campaign, site_response(), v=v)
        assert call(site_app, "POST", f"/s/{campaign.slug}/envelopes", json=body).is_success
    # Sealed for v3 (no key in its context) but sent as v5: the context it is opened with
    # names the key, so it does not open. A v5 sealed naming another key id neither.
    relabelled = {**sealed_submission(campaign, site_response(), v=3), "v": 5}
    public = SurveyPublicKey.from_text(campaign.public_key)
    envelope_id = str(uuid.uuid4())
    info = seal_info_of(5, envelope_id, campaign.spec, campaign.station_id, "a" * 16)
    other_key = {
        "envelope_id": envelope_id, "spec": campaign.spec.model_dump(), "v": 5,
        "sealed": base64.b64encode(seal(response_plaintext(SPEC, site_response()), public,
                                        info=info, aead=AES_128_GCM)).decode(),
    }  # fmt: skip
    for body in (relabelled, other_key):
        assert call(site_app, "POST", f"/s/{campaign.slug}/envelopes", json=body).is_success
    report = process_inbox(session_factory, survey_key, clock=clock)
    assert (report.processed, report.reasons) == (2, {"cannot-open": 2})
    with session_factory() as session:
        rows = session.execute(
            select(InboxEnvelope.envelope_v, InboxEnvelope.key_id, InboxEnvelope.state).order_by(
                InboxEnvelope.seq
            )
        ).all()
    assert [tuple(r) for r in rows] == [
        (3, key_id, "processed"),
        (5, key_id, "processed"),
        (5, key_id, "quarantined"),
        (5, key_id, "quarantined"),
    ]
