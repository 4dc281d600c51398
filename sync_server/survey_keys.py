"""Where the server keeps its survey keys, and how the processor unlocks them.

`mss server init` writes the first pair into `<data_dir>/keys/`: the private half encrypted
under the key passphrase (crypto's key file format), the public half as shareable text.
`mss server survey-key new` adds one per country and wave under `<data_dir>/keys/ring/<key
id>/`, the same files. The ring's public facts (id, country, wave, kind, state) are rows of
`survey_key_ring`; the first key is its first row, and every envelope of before v4 (which
names no key) was sealed to it. Intake never reads a private file; only `mss server
process` does.

`mss server survey-key split` puts the key into custody: `survey-key.shared` holds it sealed
so that m of n custodians' shares open it, and the single-passphrase file is removed, so
that no one person can open responses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from crypto import (
    CUSTODIAN_PASSPHRASE,
    SURVEY_KEY_PASSPHRASE,
    X25519,
    KdfCost,
    KeyFileError,
    OperatorKey,
    OperatorPublicKey,
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
from protocol.codec import sign_survey_key
from sync_server.store.country_keys import operator_public_key, ring_record, set_country_key
from sync_server.store.models import InboxEnvelope, OperatorKeyRow, RingKey, SurveyKey
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]


@dataclass(frozen=True)
class SurveyKeyFiles:
    """One survey key's files: the first key's when `key_id` is None, else a ring key's."""

    data_dir: Path
    key_id: str | None = None

    @property
    def folder(self) -> Path:
        if self.key_id is None:
            return self.data_dir / "keys"
        return self.data_dir / "keys" / "ring" / self.key_id

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


# The ring: which keys there are, per country and wave, and what still waits for each.


@dataclass(frozen=True)
class RingEntry:
    key_id: str
    country: str | None
    wave: str | None
    kind: str
    state: str
    created_at: datetime
    first: bool
    pending: int  # inbox envelopes sealed to it, not yet processed
    signed: bool = False  # the operator signed its record: stations may switch to it


class KeyStillNeeded(Exception):  # noqa: N818 - a refusal, named for what it says
    """A key cannot be retired yet; the message says why (pending envelopes, or current)."""

    def __init__(self, message: str, pending: int = 0) -> None:
        super().__init__(message)
        self.pending = pending


def adopt_first_key(session_factory: sessionmaker[Session], data_dir: Path, *, clock: Clock) -> str:
    """The first key's id, entering it in the ring if it is not there yet (a server
    initialised before the ring existed)."""
    public = SurveyKeyFiles(data_dir).public_key()
    key_id = public.key_id()

    def work(session: Session) -> None:
        if session.get(RingKey, key_id) is None:
            session.add(_ring_row(public, None, None, first=True, now=clock()))

    in_transaction(session_factory, work)
    return key_id


def _ring_row(
    public: SurveyPublicKey, country: str | None, wave: str | None, *, first: bool, now: datetime
) -> RingKey:
    return RingKey(
        key_id=public.key_id(), country=country, wave=wave, kind=public.kem,
        public_key=public.to_text(), first=first, state="active", created_at=now,
    )  # fmt: skip


def make_ring_key(
    session_factory: sessionmaker[Session],
    data_dir: Path,
    *,
    country: str,
    wave: str,
    passphrase: str,
    clock: Clock,
    operator: OperatorKey,
    kem: str = X25519,
    cost: KdfCost = KdfCost.STRONG,
) -> SurveyPublicKey:
    """A new key for `country` and `wave`: its files under keys/ring/<id>/, its ring row with
    the operator's signature over its record (held in memory only, never stored), and from
    now on the key the country's stations are given (bundles, enrolment, beacon answers).
    WeakSecret for an easy passphrase, KeyFileError for an operator key stations do not
    pin: nothing written."""
    require_strong_secret(passphrase, SURVEY_KEY_PASSPHRASE)
    with session_factory() as session:
        pinned = operator_public_key(session)
    if pinned is None:
        raise KeyFileError("no operator key is registered: run `mss server operator-key new`")
    if OperatorPublicKey.from_text(pinned) != operator.public_key():
        raise KeyFileError(
            f"the operator key {operator.public_key().fingerprint()} is not the one stations "
            f"pin ({OperatorPublicKey.from_text(pinned).fingerprint()})"
        )
    key = generate_survey_key(kem)
    public = key.public_key()
    files = SurveyKeyFiles(data_dir, public.key_id())
    files.folder.mkdir(parents=True, exist_ok=False)
    files.folder.parent.chmod(0o700)
    files.folder.chmod(0o700)
    write_private_key_file(files.private, key, passphrase, cost=cost)
    write_public_key_file(files.public, public)

    def work(session: Session) -> None:
        now = clock()
        row = _ring_row(public, country, wave, first=False, now=now)
        row.signature = sign_survey_key(ring_record(row), operator.sign).signature
        session.add(row)
        set_country_key(session, country, public, now)

    in_transaction(session_factory, work)
    return public


def register_operator_key(
    session_factory: sessionmaker[Session], public: OperatorPublicKey, *, clock: Clock
) -> None:
    """Record the operator key bundles and QR codes carry from now on; ValueError if the
    server has one already (stations pinned it: a new one means provisioning them again)."""

    def work(session: Session) -> None:
        held = operator_public_key(session)
        if held is not None:
            raise ValueError(
                f"this server has an operator key already "
                f"({OperatorPublicKey.from_text(held).fingerprint()}): its stations pin it"
            )
        session.add(OperatorKeyRow(public_key=public.to_text(), registered_at=clock()))

    in_transaction(session_factory, work)


def pending_by_key(session: Session, first_key_id: str) -> dict[str, int]:
    """Pending inbox envelopes per key id (those naming no key count for the first key)."""
    counts: dict[str, int] = {}
    for key_id, count in session.execute(
        select(InboxEnvelope.key_id, func.count())
        .where(InboxEnvelope.state == "pending")
        .group_by(InboxEnvelope.key_id)
    ):
        named = key_id or first_key_id
        counts[named] = counts.get(named, 0) + count
    return counts


def ring_entries(session_factory: sessionmaker[Session], first_key_id: str) -> list[RingEntry]:
    """Every key of the ring, oldest first, with what is still pending under it."""
    with session_factory() as session:
        pending = pending_by_key(session, first_key_id)
        rows = session.scalars(select(RingKey).order_by(RingKey.created_at, RingKey.key_id))
        return [
            RingEntry(
                row.key_id,
                row.country,
                row.wave,
                row.kind,
                row.state,
                row.created_at,
                row.first,
                pending.get(row.key_id, 0),
                row.signature is not None,
            )  # fmt: skip
            for row in rows
        ]


def key_for_wave(session: Session, data_dir: Path, country: str, wave: str) -> SurveyPublicKey:
    """The key a campaign of `country` and `wave` seals to: the newest active ring key made
    for that country and wave, else the key the country's stations are given, else the
    first key."""
    made = session.scalars(
        select(RingKey.public_key)
        .where(RingKey.country == country, RingKey.wave == wave, RingKey.state == "active")
        .order_by(RingKey.created_at.desc())
    ).first()
    if made is None:
        stored = session.get(SurveyKey, country)
        made = None if stored is None else stored.public_key
    if made is None:
        return SurveyKeyFiles(data_dir).public_key()
    return SurveyPublicKey.from_text(made)


def country_key_id(session: Session, country: str) -> str | None:
    """The id of the key `country`'s stations and campaigns seal to now, if it has one."""
    stored = session.get(SurveyKey, country)
    return None if stored is None else SurveyPublicKey.from_text(stored.public_key).key_id()


def retire_ring_key(
    session_factory: sessionmaker[Session], key_id: str, first_key_id: str, *, clock: Clock
) -> None:
    """Retire a key: refused (KeyStillNeeded) while envelopes sealed to it are pending, or
    while a country's stations are still given it; LookupError for no such key."""

    def work(session: Session) -> None:
        row = session.get(RingKey, key_id, with_for_update=True)
        if row is None:
            raise LookupError(f"no survey key {key_id} on this server")
        if row.state == "retired":
            return
        pending = pending_by_key(session, first_key_id).get(key_id, 0)
        if pending:
            raise KeyStillNeeded(
                f"{pending} envelope(s) sealed to {key_id} are not processed yet: "
                "run `mss server process` with this key first",
                pending,
            )
        for country in session.scalars(select(SurveyKey.country)):
            if country_key_id(session, country) == key_id:
                raise KeyStillNeeded(
                    f"{key_id} is the key {country}'s stations seal to: make its next key "
                    "with `mss server survey-key new` first"
                )
        row.state = "retired"
        row.retired_at = clock()

    in_transaction(session_factory, work)
