"""Fixtures for the station store tests: a real SQLCipher station in tmp_path, cheap KDF."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crypto import KdfCost
from device_app.store import SealedEnvelope, StationStore

STORE_PASSPHRASE = "correct horse battery staple"
SPEC = {"id": "cips-officials", "version": "1.0.0", "sha256": "ab" * 32}


def canonical(value: object) -> bytes:
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def envelope_for(seq: int, prev: str, *, envelope_id: str | None = None, size: int = 48) -> bytes:
    """An envelope as docs/protocol.md shapes it; `sealed` is opaque filler of about `size`."""
    filler = base64.b64encode(bytes(seq % 251 for _ in range(size))).decode("ascii")
    return canonical(
        {
            "v": 1,
            "envelope_id": envelope_id or str(uuid.uuid4()),
            "seq": seq,
            "prev": prev,
            "spec": SPEC,
            "sealed": filler,
        }
    )


def sealer(size: int = 48) -> Callable[[int, str], SealedEnvelope]:
    """A build callback for `append_envelope` that seals a fresh envelope for its slot."""

    def build(seq: int, prev: str) -> SealedEnvelope:
        return SealedEnvelope.from_json(envelope_for(seq, prev, size=size))

    return build


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "stations" / "st_one"


@pytest.fixture
def store(store_dir: Path) -> Iterator[StationStore]:
    opened = StationStore.create(store_dir, STORE_PASSPHRASE, cost=KdfCost.FAST)
    try:
        yield opened
    finally:
        opened.close()
