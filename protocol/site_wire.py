"""What a browser sends the online survey site and what it gets back (sync_server/site).

The browser seals the response itself (HPKE, AES-128-GCM, envelope v5; v3 before); the site
wraps the sealed bytes into an envelope of the campaign's virtual station and answers with
a receipt.
Strict and closed, like the stations' wire models.
"""

from __future__ import annotations

import base64
from typing import Annotated, Literal

from pydantic import StringConstraints, field_validator

from protocol.limits import ENVELOPE_V_SITE, MAX_SEALED_CHARS
from protocol.wire import SpecIdentityWire, Uuid4Text, _Wire, decode_base64

# Unpadded base64url of at most 1 KiB: RSA blind-signature values (256 bytes for the 2048-bit
# token keys; 512 in RFC 9474's vectors) and tokens (32 more).
Base64UrlText = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{2,1400}$")]
# HPKE's encapsulated key (32 bytes) and the AEAD tag (16): nothing sealed is shorter.
MIN_SEALED_BYTES = 48


class SiteSubmission(_Wire):
    """POST /s/<campaign>/envelopes: one sealed response. `envelope_id` is random in the
    browser, so the same POST sent again is the same envelope, never a second response."""

    envelope_id: Uuid4Text
    spec: SpecIdentityWire
    sealed: Annotated[str, StringConstraints(min_length=64, max_length=MAX_SEALED_CHARS)]
    # The envelope version the browser sealed for: 5 binds the campaign's key id in the
    # context. Absent: 3, from a page loaded before v5 (its pending envelope, sent again).
    v: Literal[3, 5] = ENVELOPE_V_SITE
    # A one-time submission token bought with an access code (campaigns with codes only):
    # base64url of its 32-byte nonce and the campaign's RSA blind signature (RFC 9474).
    token: Base64UrlText | None = None

    @field_validator("sealed")
    @classmethod
    def _sealed_is_base64(cls, value: str) -> str:
        if len(decode_base64(value, what="sealed")) < MIN_SEALED_BYTES:
            raise ValueError(f"sealed is shorter than the {MIN_SEALED_BYTES} bytes HPKE adds")
        return value

    def sealed_bytes(self) -> bytes:
        return base64.b64decode(self.sealed)


class SiteReceipt(_Wire):
    """The site's answer: the envelope is stored (accepted now, or a duplicate of what was
    stored before). `receipt_id` names the submission that stored it: the same on a retry."""

    envelope_id: Uuid4Text
    status: Literal["accepted", "duplicate"]
    receipt_id: Uuid4Text


class AccessCodeCheck(_Wire):
    """POST /s/<campaign>/codes: a code from a card, and the blinded token message the
    campaign's key is to sign (the site never sees the token itself until it is spent)."""

    # As typed: any case, with spaces or dashes (the site normalises it).
    code: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9 -]{4,40}$")]
    blinded: Base64UrlText


class SubmissionTokenGrant(_Wire):
    """The blind signature of the blinded message: the browser unblinds it into its token."""

    blind_signature: Base64UrlText


class TokenKeyWire(_Wire):
    """GET /s/<campaign>/token-key: the campaign's token public key, as a JSON Web Key."""

    variant: Literal["RSABSSA-SHA384-PSS-Deterministic"]
    kty: Literal["RSA"]
    n: Base64UrlText
    e: Base64UrlText
    key_id: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
