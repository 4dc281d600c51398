"""Stretching a passphrase into a key with Argon2id, at a cost the caller may lower for tests.

The cost travels with every blob and PIN hash, so the default can grow later without a new
format; reading checks it against fixed bounds so an altered blob cannot make us allocate
gigabytes or spin for minutes.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import ClassVar

from cryptography.hazmat.primitives.kdf.argon2 import Argon2id

KEY_BYTES = 32
# Bounds for costs read from blobs and PIN hashes (and for costs we are asked to use).
MIN_MEMORY_KIB_PER_LANE = 8  # Argon2's own floor: 8 KiB per lane
MAX_MEMORY_KIB = 1024 * 1024  # 1 GiB
MAX_ITERATIONS = 32
MAX_LANES = 16


@dataclass(frozen=True)
class KdfCost:
    """Argon2id parameters: memory in KiB, passes over it, and lanes (parallelism)."""

    memory_kib: int
    iterations: int
    lanes: int = 1

    # Filled in below the class: the strong default, and a trivial cost for tests only.
    STRONG: ClassVar[KdfCost]
    FAST: ClassVar[KdfCost]

    def __post_init__(self) -> None:
        problem = cost_problem(self.memory_kib, self.iterations, self.lanes)
        if problem:
            raise ValueError(f"unusable Argon2id cost: {problem}")


def cost_problem(memory_kib: int, iterations: int, lanes: int) -> str | None:
    """Say what is wrong with these parameters, or None when they are within bounds."""
    for name, value in (("memory", memory_kib), ("iterations", iterations), ("lanes", lanes)):
        if type(value) is not int:
            return f"{name} must be an integer"
    if not 1 <= lanes <= MAX_LANES:
        return f"lanes must be between 1 and {MAX_LANES}, not {lanes}"
    if not 1 <= iterations <= MAX_ITERATIONS:
        return f"iterations must be between 1 and {MAX_ITERATIONS}, not {iterations}"
    floor = MIN_MEMORY_KIB_PER_LANE * lanes
    if not floor <= memory_kib <= MAX_MEMORY_KIB:
        return f"memory must be between {floor} and {MAX_MEMORY_KIB} KiB, not {memory_kib}"
    return None


# 64 MiB fits beside the kiosk app on a 2 GiB tablet (RFC 9106's low-memory choice); extra
# passes, not memory, bring it to ~0.3 s on the build machine, so ~1-2 s on a tablet, paid
# once per unlock. See crypto/README.md for the measurements.
KdfCost.STRONG = KdfCost(memory_kib=64 * 1024, iterations=6, lanes=1)
# Argon2's minimum: for test suites only. Never use it for a real passphrase.
KdfCost.FAST = KdfCost(memory_kib=8, iterations=1, lanes=1)


def passphrase_bytes(passphrase: str) -> bytes:
    """The bytes Argon2id sees: NFC-normalised UTF-8, so two keyboards typing the same
    characters (composed or not) give the same key."""
    if not isinstance(passphrase, str):
        raise TypeError("a passphrase must be a str")
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


def derive_key(secret_text: bytes, salt: bytes, cost: KdfCost, *, length: int = KEY_BYTES) -> bytes:
    """Argon2id(secret_text, salt) with `cost`; `length` bytes out."""
    kdf = Argon2id(
        salt=salt,
        length=length,
        iterations=cost.iterations,
        lanes=cost.lanes,
        memory_cost=cost.memory_kib,
    )
    return kdf.derive(secret_text)
