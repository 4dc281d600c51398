"""hpke.js in headless Chromium: RFC 9180 A.1.1's published vector, then round trips with
Python's crypto (the processor's open_sealed opens what the browser sealed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from crypto import OpenError, SurveyPrivateKey, generate_survey_key, open_sealed, seal
from crypto.seal import AES_128_GCM

VECTOR: dict[str, Any] = json.loads(
    (
        Path(__file__).resolve().parents[3]
        / "crypto"
        / "kat"
        / "rfc9180_a1_x25519_sha256_aes128gcm.json"
    ).read_text(encoding="utf-8")
)

HEX = """
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const bytes = (h) => Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));
"""


def _js(page: Page, body: str, arg: Any = None) -> Any:
    return page.evaluate(
        f"async (arg) => {{ {HEX} const hpke = await import('/hpke.js'); {body} }}", arg
    )


def test_the_rfc_vector_in_chromium(kit_page: Page) -> None:
    got = _js(
        kit_page,
        """
        const ctx = await hpke.senderContext(bytes(arg.skEm), bytes(arg.pkRm), bytes(arg.info));
        const cts = [];
        for (const e of arg.encryptions) {
          cts.push(hex(await hpke.contextSeal(ctx, e.sequence_number, bytes(e.aad), bytes(e.pt))));
        }
        return {enc: hex(ctx.enc), shared_secret: hex(ctx.sharedSecret), key: hex(ctx.key),
                base_nonce: hex(ctx.baseNonce), cts};
        """,
        VECTOR,
    )
    assert got["enc"] == VECTOR["enc"] == VECTOR["pkEm"]
    assert got["shared_secret"] == VECTOR["shared_secret"]
    assert got["key"] == VECTOR["key"]
    assert got["base_nonce"] == VECTOR["base_nonce"]
    assert got["cts"] == [e["ct"] for e in VECTOR["encryptions"]]


def test_deterministic_single_shot_is_enc_and_ciphertext(kit_page: Page) -> None:
    pt = "00ff" * 40
    sealed = _js(
        kit_page,
        "return hex(await hpke.sealBaseWithEphemeral(bytes(arg.skEm), bytes(arg.pkRm), "
        "bytes(arg.info), bytes(arg.pt)));",
        {**VECTOR, "pt": pt},
    )
    assert sealed[:64] == VECTOR["enc"]
    assert len(sealed) // 2 == 32 + len(pt) // 2 + 16


@pytest.mark.parametrize("size", [0, 1, 61, 4096])
def test_browser_seals_and_the_processor_opens(kit_page: Page, size: int) -> None:
    key = generate_survey_key()
    info = 'MSS envelope v2\x00{"envelope_id":"é"}'.encode()
    plaintext = bytes(range(256)) * (size // 256) + bytes(range(size % 256))
    first, second = _js(
        kit_page,
        """
        const out = [];
        for (let i = 0; i < 2; i++) {
          out.push(hex(await hpke.sealBase(bytes(arg.pk), bytes(arg.info), bytes(arg.pt))));
        }
        return out;
        """,
        {"pk": key.public_key().to_bytes().hex(), "info": info.hex(), "pt": plaintext.hex()},
    )
    assert first != second  # a fresh ephemeral key each time
    for sealed in (first, second):
        assert open_sealed(bytes.fromhex(sealed), key, info=info, aead=AES_128_GCM) == plaintext
    with pytest.raises(OpenError):
        open_sealed(bytes.fromhex(first), key, info=info + b"x", aead=AES_128_GCM)
    with pytest.raises(OpenError):
        open_sealed(bytes.fromhex(first), generate_survey_key(), info=info, aead=AES_128_GCM)


def test_python_seals_and_the_browser_opens(kit_page: Page) -> None:
    raw = bytes(range(1, 33))
    key = SurveyPrivateKey.from_private_bytes(raw)
    info = 'MSS envelope v2\x00{"station_id":"site-ü"}'.encode()
    plaintext = bytes(range(256)) * 3
    sealed = seal(plaintext, key.public_key(), info=info, aead=AES_128_GCM)
    opened, refused = _js(
        kit_page,
        """
        const opened = hex(await hpke.openBase(bytes(arg.sk), bytes(arg.info), bytes(arg.sealed)));
        let refused = false;
        try { await hpke.openBase(bytes(arg.sk), bytes(arg.info + "00"), bytes(arg.sealed)); }
        catch (e) { refused = true; }
        return [opened, refused];
        """,
        {"sk": raw.hex(), "info": info.hex(), "sealed": sealed.hex()},
    )
    assert opened == plaintext.hex()
    assert refused
