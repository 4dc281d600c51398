"""Finishing: seal + append + drop the draft in ONE transaction; the station cannot read it."""

from __future__ import annotations

import base64
import json
import zlib
from datetime import date
from pathlib import Path

import pytest

from crypto import OpenError, SurveyPrivateKey, open_sealed
from device_app.errors import InvalidAnswers
from device_app.finishing import Sealing, append_response, sealed_response
from device_app.session import FinishedResponse
from device_app.station import Station, wire_identity
from protocol import envelope_seal_info
from protocol.response import SealedResponse
from tests.contract.world import SECRET_WORDS, World, make_world, open_envelope


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)


def record(station: Station, answers: dict | None = None) -> SealedResponse:
    finished = FinishedResponse(
        answers=answers or {"consent": 1, "stages": [1, 3], "comment": " ".join(SECRET_WORDS)},
        spec=station.spec_for("officials").identity,
        language="fr",
        population="officials",
        completed_on=date(2026, 11, 29),
        duration_s=613,
        complete=True,
    )
    return sealed_response(finished, country=station.country, region=station.region)


def test_the_sealed_payload_opens_only_with_the_survey_key_and_its_context(
    world: World,
) -> None:
    station = world.station()
    entry = append_response(
        station._store,
        station.spec_for("officials"),
        record(station),
        Sealing(station._survey_key, station.station_id),
        draft_id=None,
    )

    envelope = json.loads(entry.envelope)
    assert sorted(envelope) == ["envelope_id", "key_id", "prev", "sealed", "seq", "spec", "v"]
    assert envelope["key_id"] == world.survey_key.public_key().key_id()
    assert (envelope["seq"], envelope["prev"]) == (1, "0" * 64)
    sealed = base64.b64decode(envelope["sealed"])
    spec = wire_identity(station.spec_for("officials"))
    payload = open_envelope(world, station, entry.envelope)
    assert payload == {
        "v": 1,
        "answers": {"consent": 1, "stages": [1, 3], "comment": " ".join(SECRET_WORDS)},
        "spec": spec.model_dump(mode="json"),
        "language": "fr",
        "population": "officials",
        "country": "SL",
        "region": "Western Area",
        "completed_on": "2026-11-29",
        "duration_s": 613,
        "complete": True,
    }
    other = envelope_seal_info(
        "00000000-0000-4000-8000-000000000000", spec, station_id=station.station_id
    )
    with pytest.raises(OpenError):
        open_sealed(sealed, world.survey_key, info=other)
    # Bound to its station and its key: the same envelope id and spec under another station
    # (a second tablet replaying this one's files), with no station named (v1), with no key
    # named (v2) or naming another key, does not open.
    assert envelope["v"] == 4
    key_id = envelope["key_id"]
    for station_id, named in (
        ("st_another0tablet", key_id), (None, None), (station.station_id, None),
        (station.station_id, "bbbbbbbbbbbbbbbb"),
    ):  # fmt: skip
        elsewhere = envelope_seal_info(
            envelope["envelope_id"], spec, station_id=station_id, key_id=named
        )
        with pytest.raises(OpenError):
            open_sealed(sealed, world.survey_key, info=elsewhere)
    right = envelope_seal_info(
        envelope["envelope_id"], spec, station_id=station.station_id, key_id=key_id
    )
    assert open_sealed(sealed, world.survey_key, info=right)


def test_the_station_cannot_open_its_own_responses(world: World) -> None:
    station = world.station()
    entry = append_response(
        station._store,
        station.spec_for("officials"),
        record(station),
        Sealing(station._survey_key, station.station_id),
        draft_id=None,
    )
    sealed = base64.b64decode(json.loads(entry.envelope)["sealed"])

    # No word of the answers is in the envelope, raw or as if it were compressed.
    for word in SECRET_WORDS:
        assert word.encode() not in entry.envelope and word.encode() not in sealed
    with pytest.raises(zlib.error):
        zlib.decompress(sealed)
    # The station holds the survey PUBLIC key only; opening needs the private one.
    with pytest.raises(TypeError):
        open_sealed(sealed, station._survey_key, info=b"")  # type: ignore[arg-type]
    # Nothing the station stores opens it, even tried as an X25519 private key.
    info = envelope_seal_info(
        entry.envelope_id,
        wire_identity(station.spec_for("officials")),
        station_id=station.station_id,
    )
    tried = 0
    for key in station._store.config_keys():
        value = station._store.get_config(key)
        if isinstance(value, bytes) and len(value) == 32:
            tried += 1
            with pytest.raises(OpenError):
                open_sealed(sealed, SurveyPrivateKey.from_private_bytes(value), info=info)
    assert tried >= 1  # the station's own signing key, at least


def test_a_failing_seal_appends_nothing_and_keeps_the_draft(world: World) -> None:
    station = world.station()
    station._store.save_draft("draft-1", b'{"answers": "in progress"}')

    def broken_seal(*_args: object, **_kwargs: object) -> bytes:
        raise RuntimeError("the HPKE library failed")

    with pytest.raises(RuntimeError):
        append_response(
            station._store,
            station.spec_for("officials"),
            record(station),
            Sealing(station._survey_key, station.station_id, broken_seal),
            draft_id="draft-1",
        )

    assert station._store.counts().last_seq == 0
    assert station._store.load_draft("draft-1") == b'{"answers": "in progress"}'


def test_a_response_the_schema_refuses_is_invalid_answers_without_the_answer(
    world: World,
) -> None:
    station = world.station()
    with pytest.raises(InvalidAnswers) as refused:
        record(station, {"comment": ["secret", {"nested": "words"}]})
    assert "secret" not in str(refused.value.problems)


def test_an_unsealable_payload_appends_nothing_and_keeps_the_draft(world: World) -> None:
    station = world.station()
    station._store.save_draft("draft-1", b"{}")
    with pytest.raises(InvalidAnswers):
        append_response(
            station._store,
            station.spec_for("officials"),
            record(station, {"years": "many"}),
            Sealing(station._survey_key, station.station_id),
            draft_id="draft-1",
        )
    assert station._store.counts().last_seq == 0
    assert station._store.load_draft("draft-1") == b"{}"


def test_finishing_deletes_the_draft_and_chains_the_envelopes(world: World) -> None:
    station = world.station()
    station._store.save_draft("draft-1", b"{}")
    first = append_response(
        station._store,
        station.spec_for("officials"),
        record(station),
        Sealing(station._survey_key, station.station_id),
        draft_id="draft-1",
    )
    second = append_response(
        station._store,
        station.spec_for("officials"),
        record(station),
        Sealing(station._survey_key, station.station_id),
        draft_id=None,
    )

    assert station._store.load_draft("draft-1") is None
    assert json.loads(second.envelope)["prev"] == first.envelope_hash
    assert station._store.verify_chain() == []
