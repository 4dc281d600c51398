"""Each campaign's token signing key (RSA, RFC 9474 blind signatures): made on first use,
kept in `<data_dir>/site/token-keys/<slug>.key` (0600), read once per process.

It lives with the site, not in the central store: a copy of the database (the processor's
host, a backup) must not be able to mint submission tokens. It signs tokens only; it is not
the survey key and opens nothing. Several site workers on one host share the file: the first
writes it, a racing second finds it there (key files are never overwritten) and reads it.
"""

from __future__ import annotations

import contextlib
import threading
from pathlib import Path

from crypto import TokenPublicKey, TokenSigningKey, read_token_key_file, write_token_key_file
from sync_server.site.campaigns import SLUG_PATTERN


class TokenKeys:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._keys: dict[str, TokenSigningKey] = {}
        self._lock = threading.Lock()

    @classmethod
    def in_data_dir(cls, data_dir: Path) -> TokenKeys:
        return cls(Path(data_dir) / "site" / "token-keys")

    def path(self, slug: str) -> Path:
        if not SLUG_PATTERN.fullmatch(slug):  # the slug names a file: never a path
            raise ValueError(f"not a campaign slug: {slug!r}")
        return self.folder / f"{slug}.key"

    def signing_key(self, slug: str) -> TokenSigningKey:
        """The campaign's key, made now if it has none (call only for an open campaign
        with access codes)."""
        key = self._keys.get(slug)
        if key is not None:
            return key
        with self._lock:
            if slug not in self._keys:
                self._keys[slug] = self._read_or_make(self.path(slug))
            return self._keys[slug]

    def public_key(self, slug: str) -> TokenPublicKey:
        return self.signing_key(slug).public_key()

    def _read_or_make(self, path: Path) -> TokenSigningKey:
        if not path.exists():
            path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            # Another worker may have made it first: then its key is the campaign's.
            with contextlib.suppress(FileExistsError):
                write_token_key_file(path, TokenSigningKey.generate())
        return read_token_key_file(path)
