"""Envelope v4 names its survey key; older versions never do, and a station's envelope is
never the site's v3."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from protocol import Envelope, SiteEnvelope
from tests.protocol.test_kat import ENVELOPE, KEY_ID


def envelope(**changes: object) -> dict[str, object]:
    return {**ENVELOPE.model_dump(), **changes}


def test_a_v4_envelope_names_a_well_formed_key_id() -> None:
    assert Envelope.model_validate(envelope(v=4, key_id=KEY_ID)).key_id == KEY_ID
    refusals = [{"v": 4}, {"v": 4, "key_id": "GAGJZFQDXEVEWOPN"},
                {"v": 4, "key_id": "gagjzfqdxevewop1"}, {"v": 4, "key_id": None}]  # fmt: skip
    for changes in refusals:
        refused = envelope(**changes)
        with pytest.raises(ValidationError):
            Envelope.model_validate(refused)


def test_older_envelopes_name_no_key_and_a_station_never_sends_a_site_envelope() -> None:
    for v in (1, 2):
        assert Envelope.model_validate(envelope(v=v)).key_id is None
        with pytest.raises(ValidationError, match="has no key_id"):
            Envelope.model_validate(envelope(v=v, key_id=KEY_ID))
    with pytest.raises(ValidationError, match="not of version 3"):
        Envelope.model_validate(envelope(v=3))
    with pytest.raises(ValidationError):
        Envelope.model_validate(envelope(v=5, key_id=KEY_ID))
    # The site names its campaign's key on the v3 envelopes it builds.
    assert SiteEnvelope.model_validate(envelope(v=3, key_id=KEY_ID)).key_id == KEY_ID
    assert "key_id" not in SiteEnvelope.model_validate(envelope(v=3)).model_dump(mode="json")


def test_the_sites_v5_envelope_names_its_key_and_a_station_never_sends_one() -> None:
    assert SiteEnvelope.model_validate(envelope(v=5, key_id=KEY_ID)).key_id == KEY_ID
    with pytest.raises(ValidationError, match="names its key_id"):
        SiteEnvelope.model_validate(envelope(v=5))
    with pytest.raises(ValidationError):
        Envelope.model_validate(envelope(v=5, key_id=KEY_ID))
    for v in (1, 2, 4, 6):
        with pytest.raises(ValidationError):
            SiteEnvelope.model_validate(envelope(v=v, key_id=KEY_ID))
