"""Where the server keeps the survey key pair, and how the processor unlocks it.

`mss server init` writes the pair into `<data_dir>/keys/`: the private half encrypted under
the key passphrase (crypto's key file format), the public half as shareable text. Intake
never reads the private file; only `mss server process` does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crypto import (
    SURVEY_KEY_PASSPHRASE,
    KdfCost,
    SurveyPrivateKey,
    SurveyPublicKey,
    generate_survey_key,
    read_private_key_file,
    read_public_key_file,
    require_strong_secret,
    write_private_key_file,
    write_public_key_file,
)


@dataclass(frozen=True)
class SurveyKeyFiles:
    data_dir: Path

    @property
    def folder(self) -> Path:
        return self.data_dir / "keys"

    @property
    def private(self) -> Path:
        return self.folder / "survey-key.private"

    @property
    def public(self) -> Path:
        return self.folder / "survey-key.public"

    def exist(self) -> bool:
        return self.private.exists()

    def create(self, passphrase: str, *, cost: KdfCost = KdfCost.STRONG) -> SurveyPublicKey:
        """A new survey key pair; refuses to replace one (FileExistsError) and a passphrase
        that is easy to guess (WeakSecret): it is all that guards every response."""
        require_strong_secret(passphrase, SURVEY_KEY_PASSPHRASE)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o700)
        key = generate_survey_key()
        write_private_key_file(self.private, key, passphrase, cost=cost)
        write_public_key_file(self.public, key.public_key())
        return key.public_key()

    def public_key(self) -> SurveyPublicKey:
        return read_public_key_file(self.public)

    def unlock(self, passphrase: str) -> SurveyPrivateKey:
        """WrongPassphrase or KeyFileError (naming the file) when it cannot be unlocked."""
        return read_private_key_file(self.private, passphrase)
