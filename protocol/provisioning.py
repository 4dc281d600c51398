"""The provisioning bundle: what `mss server enroll-token` writes and a station is made from.

One JSON file per station, carried by the coordinator (it holds a single-use token, so it
is written 0600 and never logged). It names the server, the survey public key the
coordinator trusts, the station's place (country, region, populations) and, optionally,
the specs themselves so a station can be filled with no spec download.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints, field_validator

from crypto import CryptoError, SurveyPublicKey
from protocol.canonical import canonical_json
from protocol.wire import SemVer, Sha256Hex, SpecId, SpecIdentityWire, UtcTimestamp, _Wire

BUNDLE_VERSION = 1

_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class BundledSpec(_Wire):
    """A spec's identity and, when the bundle carries it, its canonical JSON body."""

    id: SpecId
    version: SemVer
    sha256: Sha256Hex
    canonical_json: str | None = None

    def identity(self) -> SpecIdentityWire:
        return SpecIdentityWire(id=self.id, version=self.version, sha256=self.sha256)


class ProvisioningBundle(_Wire):
    v: Literal[1] = BUNDLE_VERSION
    server_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
    token: _Text
    expires_at: UtcTimestamp | None = None
    survey_public_key: str
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    region: _Text
    populations: list[_Text] = Field(min_length=1)
    specs: list[BundledSpec] = Field(default_factory=list)

    @field_validator("server_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/")

    @field_validator("survey_public_key")
    @classmethod
    def _survey_key(cls, value: str) -> str:
        try:
            SurveyPublicKey.from_text(value)
        except CryptoError:
            raise ValueError("is not a survey public key") from None
        return value

    def spec_bodies(self) -> dict[tuple[str, str, str], bytes]:
        """identity triple -> canonical JSON body, for the specs the bundle carries."""
        return {
            spec.identity().triple(): spec.canonical_json.encode("utf-8")
            for spec in self.specs
            if spec.canonical_json is not None
        }

    def to_json(self) -> bytes:
        """The bundle file's bytes: canonical JSON, fields left out when they have no value."""
        return canonical_json(self.model_dump(mode="json", exclude_none=True))
