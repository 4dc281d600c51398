"""When a station takes the survey key a beacon answer announces (key rotation).

The coordinator trusted two things at provisioning: the survey public key (the bundle's, or
the one whose SHA-256 the QR code carries) and the server URL the station enrolled with. A
new key can only be as trustworthy as the channel it came by, so the rule is:

- it comes in the answer to the station's own signed beacon, sent to the URL it enrolled
  with (not a `--server-url` given for one sync, never from a USB stick);
- that URL is https (the server's TLS certificate authenticates the answer), or plain http
  to this machine's loopback (a demo, a test: nothing crosses a network);
- it is a well-formed survey key (crypto checks the point, the kind).

What it stops: an on-path attacker (a hostile Wi-Fi, a proxy without the server's
certificate) cannot hand a station their own key, so responses are never sealed to a key
the server does not hold. What it does not stop: whoever controls the intake server itself
(its TLS key) can announce a key of their own; a key signed offline by the operator, with
the verifying half in the bundle, would (docs/protocol.md "Key announcements").
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from crypto import CryptoError, SurveyPublicKey


@dataclass(frozen=True)
class Announcement:
    """What to do with an announced key: `key` to switch to, or `refused` saying why (or
    neither: it is the key the station already seals to)."""

    key: SurveyPublicKey | None = None
    refused: str | None = None


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
    announced: str | None, *, current: SurveyPublicKey, sent_to: str, enrolled_url: str
) -> Announcement:
    """Whether the station switches to the key a beacon answer from `sent_to` announced."""
    if announced is None:
        return Announcement()
    if sent_to.rstrip("/") != enrolled_url.rstrip("/"):
        return Announcement(refused=f"announced by {sent_to}, not the enrolled server")
    if not authenticated_channel(sent_to):
        return Announcement(refused="announced over plain http: only https is trusted")
    try:
        key = SurveyPublicKey.from_text(announced)
    except CryptoError as error:
        return Announcement(refused=f"the announced key is unusable ({error})")
    if key == current:
        return Announcement()
    return Announcement(key=key)
