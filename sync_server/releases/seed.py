"""The server's release seed: 32 random bytes that make releases reproducible. It stays in
the data directory (mode 0600) and never appears in a release; every random choice of a
release is derived from it with HMAC-SHA256, so the seed cannot be recovered from them."""

from __future__ import annotations

import hashlib
import hmac
import os
from collections.abc import Callable
from pathlib import Path

SEED_BYTES = 32
SEED_PATH = Path("keys") / "release-seed"


def release_seed_path(data_dir: Path) -> Path:
    return Path(data_dir) / SEED_PATH


def load_release_seed(
    data_dir: Path, *, random_bytes: Callable[[int], bytes] = os.urandom
) -> bytes:
    """The seed, created on first use (exclusively, so two first uses agree on one seed)."""
    path = release_seed_path(data_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        seed = random_bytes(SEED_BYTES)
        if len(seed) != SEED_BYTES:
            raise ValueError("the random source gave the wrong number of bytes")
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process made it first: use theirs
        else:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(seed)
                handle.flush()
                os.fsync(handle.fileno())
    seed = path.read_bytes()
    if len(seed) != SEED_BYTES:
        raise ValueError(f"{path} is damaged: a release seed is {SEED_BYTES} bytes")
    return seed


def derived_seed(release_seed: bytes, *parts: str) -> bytes:
    """A 32-byte value for one purpose (named by `parts`), from which the seed cannot be
    recovered."""
    message = "\x1f".join(parts).encode("utf-8")
    return hmac.new(release_seed, message, hashlib.sha256).digest()
