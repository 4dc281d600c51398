"""What a station is made from: the provisioning bundle, or the QR code that stands for it.

The bundle is one JSON file per station, carried by the coordinator (it holds a single-use
token, so it is written 0600 and never logged). It names the server, the survey public key
the coordinator trusts, the station's place (country, region, populations) and, optionally,
the specs themselves so a station can be filled with no spec download.

The provisioning code is what the enrolment QR code carries: only what does not come from
the server itself — its URL, the token, the SHA-256 of the survey public key the
coordinator trusts and the operator's public signing key (32 bytes: as short as a digest).
The station enrols with the token, receives its place, the key and the spec list, and
refuses a key whose digest is not the code's (a hostile server must not get responses
sealed to its own key). As text:

    mss:provision?v=1&server=https://survey.example&token=ABCD-…&key=<43 base64url chars>
        &op=<43 base64url chars>

Both carry the operator key (when the server has one): the station pins it, and takes a
new survey key later only when the operator signed it (device_app/key_rotation.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from typing import Annotated, Literal
from urllib.parse import parse_qsl, urlencode

from pydantic import AfterValidator, Field, StringConstraints, ValidationError, field_validator

from crypto import CryptoError, OperatorPublicKey, SurveyPublicKey
from crypto.operator_key import OPERATOR_PUBLIC_PREFIX
from protocol.canonical import canonical_json
from protocol.wire import SemVer, Sha256Hex, SpecId, SpecIdentityWire, UtcTimestamp, _Wire

BUNDLE_VERSION = 1
CODE_VERSION = 1
CODE_PREFIX = "mss:provision?"
_DIGEST = re.compile(r"[A-Za-z0-9_-]{43}")

_Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def _http_url(value: str) -> str:
    if not value.startswith(("http://", "https://")):
        raise ValueError("must be an http:// or https:// URL")
    return value.rstrip("/")


ServerUrl = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_http_url)
]


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
    server_url: ServerUrl
    token: _Text
    expires_at: UtcTimestamp | None = None
    survey_public_key: str
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    region: _Text
    populations: list[_Text] = Field(min_length=1)
    specs: list[BundledSpec] = Field(default_factory=list)
    # The operator's public signing key (crypto's text form), when the server has one.
    operator_public_key: str | None = None

    @field_validator("operator_public_key")
    @classmethod
    def _operator_key(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                OperatorPublicKey.from_text(value)
            except CryptoError:
                raise ValueError("is not an operator public key") from None
        return value

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


def survey_key_digest(key: SurveyPublicKey) -> str:
    """SHA-256 of the key's 32 bytes, base64url without padding: all 256 bits, since a
    shortened digest is a target a server could search for a key of its own."""
    digest = hashlib.sha256(key.to_bytes()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


class ProvisioningCodeError(ValueError):
    """The text is not a provisioning code; the message names the part, never its value."""


class ProvisioningCode(_Wire):
    """What the enrolment QR code carries (see the module's note)."""

    v: Literal[1] = CODE_VERSION
    server_url: ServerUrl
    token: _Text
    key_sha256: str
    # The operator public key's 32 bytes, base64url without padding (its text form's tail).
    operator_key: str | None = None

    @field_validator("operator_key")
    @classmethod
    def _operator(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                OperatorPublicKey.from_text(OPERATOR_PUBLIC_PREFIX + value)
            except CryptoError:
                raise ValueError("is not an operator public key (43 base64url chars)") from None
        return value

    def operator_public_key(self) -> str | None:
        """The operator key in crypto's text form, as the bundle carries it."""
        return None if self.operator_key is None else OPERATOR_PUBLIC_PREFIX + self.operator_key

    @field_validator("key_sha256")
    @classmethod
    def _digest(cls, value: str) -> str:
        if not _DIGEST.fullmatch(value):
            raise ValueError("is not a SHA-256 in base64url (43 characters)")
        return value

    @classmethod
    def for_bundle(cls, bundle: ProvisioningBundle) -> ProvisioningCode:
        key = SurveyPublicKey.from_text(bundle.survey_public_key)
        operator = bundle.operator_public_key
        return cls(server_url=bundle.server_url, token=bundle.token,
                   key_sha256=survey_key_digest(key),
                   operator_key=None if operator is None
                   else operator.removeprefix(OPERATOR_PUBLIC_PREFIX))  # fmt: skip

    def to_text(self) -> str:
        fields = {"v": self.v, "server": self.server_url, "token": self.token,
                  "key": self.key_sha256}  # fmt: skip
        if self.operator_key is not None:
            fields["op"] = self.operator_key
        return CODE_PREFIX + urlencode(fields, safe=":/")

    @classmethod
    def from_text(cls, text: str) -> ProvisioningCode:
        """The code a QR code or a typed line holds; ProvisioningCodeError says what is wrong."""
        text = text.strip()
        scheme, _, rest = text.partition(":")
        if scheme.lower() != "mss" or not rest.startswith("provision?"):
            raise ProvisioningCodeError(f"it does not start with {CODE_PREFIX!r}")
        try:
            pairs = parse_qsl(rest.removeprefix("provision?"), strict_parsing=True,
                              keep_blank_values=True)  # fmt: skip
        except ValueError:
            raise ProvisioningCodeError("its fields are not name=value pairs") from None
        fields = dict(pairs)
        if len(fields) != len(pairs):
            raise ProvisioningCodeError("a field is given twice")
        if fields.get("v") != str(CODE_VERSION):
            raise ProvisioningCodeError(
                f"it is not version {CODE_VERSION} (a newer server? update this station)"
            )
        names = {"v": "v", "server": "server_url", "token": "token", "key": "key_sha256",
                 "op": "operator_key"}  # fmt: skip
        unknown = sorted(set(fields) - set(names))
        if unknown:
            raise ProvisioningCodeError(f"it has an unknown field {unknown[0][:20]!r}")
        try:
            return cls(**{names[name]: value for name, value in fields.items() if name != "v"})
        except ValidationError as error:
            first = error.errors(include_input=False, include_url=False)[0]
            field = {model: name for name, model in names.items()}.get(
                str(first["loc"][0]) if first["loc"] else "", "a field"
            )
            if first["type"] == "missing":
                raise ProvisioningCodeError(f"it has no {field!r}") from None
            reason = first["msg"].removeprefix("Value error, ")
            raise ProvisioningCodeError(f"its {field!r} {reason}") from None

    def names_key(self, key: SurveyPublicKey) -> bool:
        """Is `key` the survey key the coordinator's code vouches for?"""
        return hmac.compare_digest(survey_key_digest(key), self.key_sha256)
