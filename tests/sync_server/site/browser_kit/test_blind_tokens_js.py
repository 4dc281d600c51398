"""blind_tokens.js in headless Chromium: RFC 9474's published vectors (EMSA-PSS encoding,
Blind, Finalize) byte for byte, then the site's token round trip with Python's crypto: the
browser blinds, the site's key signs blind, the browser finalizes, Python verifies."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from crypto import TokenPublicKey, TokenSigningKey
from sync_server.site.access_codes import from_base64url, to_base64url, token_message

KAT = json.loads(
    (
        Path(__file__).resolve().parents[3] / "crypto" / "kat" / "rfc9474_rsabssa_sha384_pss.json"
    ).read_text(encoding="utf-8")
)
VECTORS: dict[str, dict[str, str]] = KAT["vectors"]
SLUG = "abcdefghijklmnop"

HEX = """
const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const bytes = (h) => Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));
"""


def _js(page: Page, body: str, arg: Any = None) -> Any:
    return page.evaluate(
        f"async (arg) => {{ {HEX} const bt = await import('/blind_tokens.js'); {body} }}", arg
    )


@pytest.fixture(scope="module")
def key() -> TokenSigningKey:
    return TokenSigningKey.generate()


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_the_rfc_vectors_in_chromium(kit_page: Page, name: str) -> None:
    vector = VECTORS[name]
    n = int(vector["n"], 16)
    r = pow(int(vector["inv"], 16), -1, n)
    got = _js(
        kit_page,
        """
        const key = bt.publicKey(arg.jwk);
        const msg = bytes(arg.v.prepared_msg);
        const encoded = await bt.emsaPssEncode(msg, key.bits - 1, bytes(arg.v.salt));
        const blinded = await bt.blindWith(key, msg, bytes(arg.v.salt), () => bytes(arg.r));
        const sig = await bt.finalize(key, msg, bytes(arg.v.blind_sig), blinded.inverse);
        return {encoded: hex(encoded), blinded: hex(blinded.blinded),
                inverse: blinded.inverse.toString(16), sig: hex(sig),
                verifies: await bt.verify(key, msg, sig),
                other: await bt.verify(key, bytes(arg.v.prepared_msg + "00"), sig)};
        """,
        {
            "v": vector,
            "jwk": TokenPublicKey.from_numbers(n, int(vector["e"], 16)).jwk(),
            "r": r.to_bytes(512, "big").hex(),
        },
    )
    assert got["encoded"] == vector["encoded_msg"]
    assert got["blinded"] == vector["blinded_msg"]
    assert int(got["inverse"], 16) == int(vector["inv"], 16)
    assert got["sig"] == vector["sig"]
    assert got["verifies"] is True and got["other"] is False


def test_the_browser_blinds_the_site_signs_python_verifies(kit_page: Page, key) -> None:
    public = key.public_key()
    nonce = os.urandom(32)
    first = _js(
        kit_page,
        """
        const key = bt.publicKey(arg.jwk);
        const message = bt.tokenMessage(arg.slug, bytes(arg.nonce));
        const out = [];
        for (let i = 0; i < 2; i++) {
          const b = await bt.blind(key, message);
          out.push({blinded: bt.b64url(b.blinded), inverse: b.inverse.toString(16)});
        }
        window.__blinded = out;
        return {message: hex(message), blinded: out.map((b) => b.blinded)};
        """,
        {"jwk": public.jwk(), "slug": SLUG, "nonce": nonce.hex()},
    )
    message = token_message(SLUG, nonce)
    assert bytes.fromhex(first["message"]) == message  # one message, in both languages
    assert first["blinded"][0] != first["blinded"][1]  # a fresh r (and salt) each time
    blind_sigs = [to_base64url(key.blind_sign(from_base64url(b))) for b in first["blinded"]]
    second = _js(
        kit_page,
        """
        const key = bt.publicKey(arg.jwk);
        const message = bt.tokenMessage(arg.slug, bytes(arg.nonce));
        const sigs = [];
        for (let i = 0; i < 2; i++) {
          const inverse = BigInt("0x" + window.__blinded[i].inverse);
          sigs.push(hex(await bt.finalize(key, message, bt.fromB64url(arg.sigs[i]), inverse)));
        }
        let refused = false;  // the answer to the other blinding does not finalize
        try {
          await bt.finalize(key, message, bt.fromB64url(arg.sigs[0]),
                            BigInt("0x" + window.__blinded[1].inverse));
        } catch (e) { refused = true; }
        return {sigs, refused};
        """,
        {"jwk": public.jwk(), "slug": SLUG, "nonce": nonce.hex(), "sigs": blind_sigs},
    )
    assert second["refused"] is True
    for signature in second["sigs"]:
        public.verify(message, bytes.fromhex(signature))
    assert second["sigs"][0] != second["sigs"][1]  # PSS salts differ; both are valid
