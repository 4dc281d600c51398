"""When a station takes the survey key a beacon answer announces (key rotation).

The coordinator trusted three things at provisioning: the survey public key (the bundle's,
or the one whose SHA-256 the QR code carries), the server URL the station enrolled with, and
the operator's public signing key (in the bundle or the code). The rule is:

- it comes in the answer to the station's own signed beacon, sent to the URL it enrolled
  with (not a `--server-url` given for one sync, never from a USB stick);
- that URL is https (the server's TLS certificate authenticates the answer), or plain http
  to this machine's loopback (a demo, a test: nothing crosses a network);
- it is a well-formed survey key (crypto checks the point, the kind);
- the key comes with its record (key id, country, wave, public key, kind, created) signed
  by the operator key the coordinator pinned at provisioning (the bundle, or the QR code),
  kept offline: the intake server holds only the signature;
- the record is for the station's own country, and not older than the key it holds (the
  record it switched to last, or the enrolment's time): an old signed key replayed is
  refused.

What it stops: an on-path attacker (a hostile Wi-Fi, a proxy without the server's
certificate) cannot hand a station their own key, and neither can whoever controls the
intake server itself (its TLS key, its database): without the operator's private key they
cannot sign a record. A refusal keeps the old key (responses still open on the processor)
and names a code (protocol.wire.KeyRefusal) the station shows and its next beacons report.
What it does not stop: a thief of the operator key and its passphrase; a station enrolled
before the server had an operator key pins none, so it never rotates (re-provision it).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from crypto import CryptoError, OperatorPublicKey, SurveyPublicKey
from protocol.codec import SURVEY_KEY_SIGNING_DOMAIN, survey_key_record_payload
from protocol.wire import KeyRefusal, SignedSurveyKey, SurveyKeyRecord, parse_wire_time


@dataclass(frozen=True)
class Announcement:
    """What to do with an announced key: `key` to switch to (with its signed `record`), or
    `refused` with its `code` saying why (or neither: it is the key the station already
    seals to)."""

    key: SurveyPublicKey | None = None
    record: SurveyKeyRecord | None = None
    refused: str | None = None
    code: KeyRefusal | None = None


@dataclass(frozen=True)
class KeyTrust:
    """What the station trusts a new key by: its current key, the URL it enrolled with, the
    operator key it pinned (None: enrolled without one), its country, and the time a new
    key's record must not be older than."""

    current: SurveyPublicKey
    enrolled_url: str
    operator: OperatorPublicKey | None
    country: str
    not_before: str  # a wire UtcTimestamp


def _refuse(code: KeyRefusal, why: str) -> Announcement:
    return Announcement(refused=f"{code}: {why}", code=code)


def authenticated_channel(url: str) -> bool:
    """https, or http to a loopback address (nothing crosses a network)."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def judge_announcement(
    announced: str | None, signed: SignedSurveyKey | None, *, trust: KeyTrust, sent_to: str
) -> Announcement:
    """Whether the station switches to the key a beacon answer from `sent_to` announced
    (`announced`, the bare key; `signed`, the operator's record of it, which wins)."""
    text = signed.record.public_key if signed is not None else announced
    if text is None:
        return Announcement()
    try:
        key = SurveyPublicKey.from_text(text)
    except CryptoError as error:
        return _refuse("survey-key-unusable", f"the announced key is unusable ({error})")
    if key == trust.current:
        return Announcement()
    if sent_to.rstrip("/") != trust.enrolled_url.rstrip("/"):
        return _refuse(
            "survey-key-other-server", f"announced by {sent_to}, not the enrolled server"
        )
    if not authenticated_channel(sent_to):
        return _refuse("survey-key-plain-http", "announced over plain http: only https is trusted")
    if signed is None:
        return _refuse("survey-key-unsigned", "no operator-signed record came with the key")
    if trust.operator is None:
        return _refuse(
            "survey-key-no-operator-key",
            "this station pinned no operator key at provisioning: provision it again",
        )
    try:
        trust.operator.verify(
            SURVEY_KEY_SIGNING_DOMAIN, survey_key_record_payload(signed.record),
            signed.signature_bytes(),
        )  # fmt: skip
    except CryptoError:
        return _refuse("survey-key-forged", "the record is not signed by the pinned operator key")
    record = signed.record
    if record.country != trust.country:
        return _refuse(
            "survey-key-other-country", f"the key is for {record.country}, not {trust.country}"
        )
    if parse_wire_time(record.created) < parse_wire_time(trust.not_before):
        return _refuse(
            "survey-key-older", f"the key was made {record.created}, before the one held"
        )
    return Announcement(key=key, record=record)
