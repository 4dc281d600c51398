"""A station in miniature, as the server sees it: an id, a key and its outbox chain.

Shared by the server tests and the benchmarks (which must not import tests/): it chains
and signs envelopes through the real protocol functions, with a seeded random source.
"""

from __future__ import annotations

import base64
import random
import uuid
from dataclasses import dataclass, field

from crypto import StationKey, SurveyPublicKey, seal
from protocol import (
    ENVELOPE_V_KEYED,
    ENVELOPE_VERSION,
    PROTOCOL_VERSION,
    ZERO_HASH,
    Batch,
    Envelope,
    SpecIdentityWire,
    envelope_hash,
    seal_info_of,
    sign_batch,
    signed_batch_bytes,
)


@dataclass
class StationChain:
    """A station as the server sees it: id, key and its outbox chain."""

    station_id: str
    key: StationKey
    spec: SpecIdentityWire
    rng: random.Random = field(default_factory=lambda: random.Random(1))
    last_seq: int = 0
    last_hash: str = ZERO_HASH
    batch_seq: int = 0
    # 1: a station of before envelopes named their station in the sealed context; 2: one
    # of before they named their survey key.
    envelope_v: int = ENVELOPE_VERSION
    # From v4, the survey key the envelopes name; `sealed()` names the key it seals to.
    key_id: str = "aaaaaaaaaaaaaaaa"

    def new_id(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def append(
        self, sealed: bytes, envelope_id: str | None = None, key_id: str | None = None
    ) -> Envelope:
        """The next envelope of the chain, carrying `sealed` bytes."""
        keyed = self.envelope_v >= ENVELOPE_V_KEYED
        envelope = Envelope(
            v=self.envelope_v,
            envelope_id=envelope_id or self.new_id(),
            seq=self.last_seq + 1,
            prev=self.last_hash,
            spec=self.spec,
            sealed=base64.b64encode(sealed).decode(),
            key_id=(key_id or self.key_id) if keyed else None,
        )
        self.last_seq, self.last_hash = envelope.seq, envelope_hash(envelope)
        return envelope

    def sealed(self, plaintext: bytes, public_key: SurveyPublicKey) -> Envelope:
        """The next envelope, with `plaintext` really sealed to its id, spec and this
        station (HPKE)."""
        envelope_id = self.new_id()
        key_id = public_key.key_id()
        info = seal_info_of(self.envelope_v, envelope_id, self.spec, self.station_id, key_id)
        return self.append(seal(plaintext, public_key, info=info), envelope_id, key_id)

    def envelopes(self, count: int, sealed: bytes | None = None) -> list[Envelope]:
        return [self.append(sealed or self.rng.randbytes(300)) for _ in range(count)]

    def batch(self, envelopes: list[Envelope], *, batch_seq: int | None = None) -> Batch:
        if batch_seq is None:
            self.batch_seq += 1
            batch_seq = self.batch_seq
        return Batch(
            v=PROTOCOL_VERSION,
            batch_id=self.new_id(),
            station_id=self.station_id,
            batch_seq=batch_seq,
            created_at="2026-11-29T10:00:00Z",
            envelopes=envelopes,
        )

    def signed_bytes(self, batch: Batch) -> bytes:
        return signed_batch_bytes(sign_batch(batch, self.key.sign))
