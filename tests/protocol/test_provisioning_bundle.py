"""The provisioning bundle model: what the server writes is what the station reads."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from crypto import generate_survey_key
from protocol.provisioning import BundledSpec, ProvisioningBundle

KEY = generate_survey_key().public_key().to_text()


def bundle(**changes: object) -> dict:
    data = {
        "server_url": "https://mss.example.org/",
        "token": "ABCD-EFGH",
        "expires_at": "2026-12-08T10:00:00Z",
        "survey_public_key": KEY,
        "country": "SL",
        "region": "North",
        "populations": ["officials"],
        "specs": [{"id": "cips-officials", "version": "1.0.0", "sha256": "a" * 64,
                   "canonical_json": '{"id":"cips-officials"}'}],
    }  # fmt: skip
    data.update(changes)
    return data


def test_round_trip_is_stable_and_names_the_version() -> None:
    model = ProvisioningBundle.model_validate(bundle())
    again = ProvisioningBundle.model_validate(json.loads(model.to_json()))
    assert again == model
    assert json.loads(model.to_json())["v"] == 1
    assert model.server_url == "https://mss.example.org"  # trailing slash dropped once
    assert model.spec_bodies() == {
        ("cips-officials", "1.0.0", "a" * 64): b'{"id":"cips-officials"}'
    }


def test_a_spec_without_a_body_is_fetched_not_invented() -> None:
    model = ProvisioningBundle.model_validate(
        bundle(specs=[{"id": "cips-officials", "version": "1.0.0", "sha256": "a" * 64}])
    )
    assert model.spec_bodies() == {}
    assert "canonical_json" not in model.to_json().decode()
    assert isinstance(model.specs[0], BundledSpec)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"server_url": "ftp://x"}, "server_url"),
        ({"survey_public_key": "nope"}, "survey_public_key"),
        ({"country": "Sierra Leone"}, "country"),
        ({"populations": []}, "populations"),
        ({"token": "  "}, "token"),
        ({"v": 2}, "v"),
        ({"enrolment_token": "old alias"}, "enrolment_token"),
    ],
)
def test_a_bad_bundle_names_the_field(changes: dict, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ProvisioningBundle.model_validate(bundle(**changes))
    assert refused.value.errors()[0]["loc"][0] == field
