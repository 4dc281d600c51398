"""Station signature checks, as problems the API can answer with."""

from __future__ import annotations

from crypto import BadSignature, verify_signature
from protocol.problems import Problem


def check_station_signature(
    public_key: bytes, domain: str, payload: bytes, signature: bytes, *, what: str
) -> None:
    try:
        verify_signature(public_key, domain, payload, signature)
    except BadSignature:
        raise Problem(
            "bad-signature", f"the {what} signature does not verify with the station's key"
        ) from None
