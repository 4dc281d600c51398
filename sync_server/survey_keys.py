"""Where the server keeps the survey key pair, and how the processor unlocks it.

`mss server init` writes the pair into `<data_dir>/keys/`: the private half encrypted under
the key passphrase (crypto's key file format), the public half as shareable text. Intake
never reads the private file; only `mss server process` does.

`mss server survey-key split` puts the key into custody: `survey-key.shared` holds it sealed
so that m of n custodians' shares open it, and the single-passphrase file is removed, so
that no one person can open responses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from crypto import (
    CUSTODIAN_PASSPHRASE,
    SURVEY_KEY_PASSPHRASE,
    X25519,
    KdfCost,
    KeyFileError,
    SharedKey,
    ShareFile,
    SurveyPrivateKey,
    SurveyPublicKey,
    generate_survey_key,
    read_private_key_file,
    read_public_key_file,
    read_shared_key_file,
    require_strong_secret,
    split_survey_key,
    unlock_with_shares,
    write_private_key_file,
    write_public_key_file,
    write_share_file,
    write_shared_key_file,
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

    @property
    def shared(self) -> Path:
        return self.folder / "survey-key.shared"

    def exist(self) -> bool:
        return self.private.exists() or self.shared.exists()

    @property
    def in_custody(self) -> bool:
        """True once the key is split: only custodians' shares open it."""
        return self.shared.exists()

    def create(
        self, passphrase: str, *, cost: KdfCost = KdfCost.STRONG, kem: str = X25519
    ) -> SurveyPublicKey:
        """A new survey key pair of kind `kem`; refuses to replace one (FileExistsError) and
        a passphrase that is easy to guess (WeakSecret): it is all that guards every
        response."""
        require_strong_secret(passphrase, SURVEY_KEY_PASSPHRASE)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.folder.chmod(0o700)
        key = generate_survey_key(kem)
        write_private_key_file(self.private, key, passphrase, cost=cost)
        write_public_key_file(self.public, key.public_key())
        return key.public_key()

    def public_key(self) -> SurveyPublicKey:
        return read_public_key_file(self.public)

    def unlock(self, passphrase: str) -> SurveyPrivateKey:
        """WrongPassphrase or KeyFileError (naming the file) when it cannot be unlocked."""
        return read_private_key_file(self.private, passphrase)

    def split(
        self,
        key: SurveyPrivateKey,
        custodians: list[tuple[str, str]],
        *,
        threshold: int,
        out_dir: Path,
        cost: KdfCost = KdfCost.STRONG,
    ) -> list[Path]:
        """Into custody: the shared key beside the public key, one share file per custodian
        in `out_dir` (new files, 0600), checked to open the key, then the single-passphrase
        file removed. WeakSecret for an easy custodian passphrase, nothing written."""
        if self.in_custody:
            raise FileExistsError(f"{self.shared} exists: the key is already in custody")
        for name, passphrase in custodians:
            require_strong_secret(passphrase, CUSTODIAN_PASSPHRASE, context=[name])
        shared, shares = split_survey_key(key, custodians, threshold=threshold, cost=cost)
        check = unlock_with_shares(
            shared, list(zip(shares, dict(custodians).values(), strict=True))
        )
        if check.public_key() != key.public_key():
            raise KeyFileError("the shares do not open the key they were made from")
        out_dir.mkdir(parents=True, exist_ok=True)
        paths = [out_dir / f"share-{s.index}-{s.custodian.replace(' ', '_')}.txt" for s in shares]
        for path, share in zip(paths, shares, strict=True):
            write_share_file(path, share)
        write_shared_key_file(self.shared, shared)
        self.private.unlink(missing_ok=True)
        return paths

    def shared_key(self) -> SharedKey:
        return read_shared_key_file(self.shared)

    def unlock_with(self, presented: list[tuple[ShareFile, str]]) -> SurveyPrivateKey:
        """The key from custodians' shares; WrongPassphrase or KeyFileError saying which."""
        key = unlock_with_shares(self.shared_key(), presented)
        if key.public_key() != self.public_key():
            raise KeyFileError(f"the shares open another key than {self.public}")
        return key
