"""`mss server survey-key`: the ring of survey keys per country and wave (`new`, `list`,
`retire`), the first key's custody, and how the processor unlocks the keys it holds.

Each ring key has its own passphrase: MSS_KEY_PASSPHRASE_<KEY ID> (the id in capitals), else
MSS_KEY_PASSPHRASE, else a prompt.

`split` hands the key to m of n custodians: each types their own passphrase (or a script
sets MSS_CUSTODIAN_PASSPHRASE_<NAME>), gets a share file, and from then on the processor
starts only when m of them present their shares (`mss server process --share FILE ...`,
each passphrase typed, or MSS_SHARE_PASSPHRASE_<index>). The key lives in the processor's
memory only; no file on the server opens it alone.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sync_server.command_kit import AsJson, DataDir, central_store, check_place, fail, out

if TYPE_CHECKING:
    from crypto import SurveyPrivateKey
    from sync_server.processor import HeldKeys
    from sync_server.survey_keys import SurveyKeyFiles

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
KEY_PASSPHRASE_ENV = "MSS_KEY_PASSPHRASE"  # noqa: S105 - the variable's name


def _env_name(prefix: str, label: str) -> str:
    return prefix + re.sub(r"[^A-Z0-9]", "_", label.upper())


def secret(env: str, prompt: str, *, confirm: bool) -> str:
    from_env = os.environ.get(env)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise fail(f"no passphrase: set {env} or run from a terminal")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))


def key_passphrase(*, confirm: bool, key_id: str | None = None) -> str:
    """The first key's passphrase, or ring key `key_id`'s (its own variable first)."""
    if key_id is not None:
        own = os.environ.get(_env_name(KEY_PASSPHRASE_ENV + "_", key_id))
        if own:
            return own
    what = "Survey key passphrase" + ("" if key_id is None else f" of {key_id}")
    return secret(KEY_PASSPHRASE_ENV, what, confirm=confirm)


def initialised(data_dir: Path) -> None:
    from sync_server.survey_keys import SurveyKeyFiles

    if not SurveyKeyFiles(data_dir).public.exists():
        raise fail(f"{data_dir} is not an initialised server: run `mss server init` first")


@app.command("new")
def new(
    data_dir: DataDir,
    country: Annotated[str, typer.Option(help="ISO 3166 country code, e.g. SL.")],
    wave: Annotated[str, typer.Option(help="The survey wave, e.g. 2027.")],
    operator_key: Annotated[
        Path,
        typer.Option("--operator-key", help="The operator key file (`operator-key new`)."),
    ],
    kem: Annotated[
        str, typer.Option(help="x25519, or mlkem768-x25519 (post-quantum; stations only).")
    ] = "x25519",
) -> None:
    """A new survey key for a country and wave, signed by the operator key: its stations
    are given it from now on."""
    from crypto import SURVEY_KEY_PASSPHRASE, CryptoError, read_operator_key_file, secret_weakness
    from crypto.survey_keys import KEMS
    from sync_server.operator_key_commands import operator_passphrase
    from sync_server.settings import utc_now
    from sync_server.survey_keys import adopt_first_key, make_ring_key

    initialised(data_dir)
    check_place(country, wave)
    if kem not in KEMS:
        raise fail(f"--kem must be one of {', '.join(KEMS)}, not {kem!r}")
    try:
        # Unlocked first: a wrong operator passphrase costs nothing else.
        operator = read_operator_key_file(operator_key, operator_passphrase(confirm=False))
    except CryptoError as error:
        raise fail(f"the operator key does not open: {error}") from None
    passphrase = key_passphrase(confirm=True)
    weakness = secret_weakness(passphrase, SURVEY_KEY_PASSPHRASE)
    if weakness is not None:
        raise fail(weakness)
    with central_store(data_dir) as (_settings, sessions):
        adopt_first_key(sessions, data_dir, clock=utc_now)
        try:
            public = make_ring_key(sessions, data_dir, country=country, wave=wave,
                                   passphrase=passphrase, clock=utc_now, kem=kem,
                                   operator=operator)  # fmt: skip
        except (CryptoError, OSError) as error:
            raise fail(f"cannot write the survey key: {error}") from None
    out.print(f"survey key {public.key_id()} for {country} {wave} ({public.kem}, "
              f"fingerprint {public.fingerprint()}), signed by operator key "
              f"{operator.public_key().fingerprint()}: {country}'s stations are given it "
              "from their next sync or enrolment")  # fmt: skip


@app.command("list")
def list_keys(data_dir: DataDir, as_json: AsJson = False) -> None:
    """Every survey key: id, country, wave, kind, state, created, envelopes still pending,
    and whether the operator signed it (stations switch only to signed keys)."""
    from rich.table import Table

    from protocol.wire import wire_time
    from sync_server.settings import utc_now
    from sync_server.survey_keys import adopt_first_key, ring_entries

    initialised(data_dir)
    with central_store(data_dir) as (_settings, sessions):
        first = adopt_first_key(sessions, data_dir, clock=utc_now)
        entries = ring_entries(sessions, first)
    rows = [
        {"key_id": e.key_id, "country": e.country or "*", "wave": e.wave or "*",
         "kind": e.kind, "state": e.state, "created": wire_time(e.created_at),
         "pending": e.pending, "first": e.first, "signed": e.signed}
        for e in entries
    ]  # fmt: skip
    if as_json:
        out.print_json(json.dumps(rows))
        return
    columns = ("key_id", "country", "wave", "kind", "state", "created", "pending", "signed")
    table = Table(*(c.replace("_", " ") for c in columns))
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    out.print(table)


@app.command("retire")
def retire(
    data_dir: DataDir, key_id: Annotated[str, typer.Argument(help="The key id to retire.")]
) -> None:
    """Retire a key once nothing sealed to it waits and no country's stations are given it."""
    from sync_server.settings import utc_now
    from sync_server.survey_keys import KeyStillNeeded, adopt_first_key, retire_ring_key

    initialised(data_dir)
    with central_store(data_dir) as (_settings, sessions):
        first = adopt_first_key(sessions, data_dir, clock=utc_now)
        try:
            retire_ring_key(sessions, key_id, first, clock=utc_now)
        except (KeyStillNeeded, LookupError) as error:
            raise fail(f"not retired: {error}") from None
    out.print(f"survey key {key_id} is retired")


@app.command("split")
def split(
    data_dir: DataDir,
    custodians: Annotated[
        list[str], typer.Option("--custodian", help="A custodian's name (once for each).")
    ],
    threshold: Annotated[int, typer.Option(help="How many custodians together open the key.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Where the share files go.")],
    key_id: Annotated[
        str | None, typer.Option("--key", help="A ring key's id (default: the first key).")
    ] = None,
) -> None:
    """Put a survey key into m-of-n custody and remove its single-passphrase file."""
    from crypto import CryptoError, WeakSecret

    files = _key_files(data_dir, key_id)
    if files.in_custody:
        raise fail(f"the survey key is already in custody ({files.shared})")
    if not files.private.exists():
        raise fail(f"{data_dir} holds no survey key: run `mss server init` first")
    if not 2 <= threshold <= len(custodians):
        raise fail(f"--threshold must be from 2 to the number of custodians ({len(custodians)})")
    try:
        key = files.unlock(key_passphrase(confirm=False, key_id=files.key_id))
    except CryptoError as error:
        raise fail(str(error)) from None
    asked = [
        (name, secret(_env_name("MSS_CUSTODIAN_PASSPHRASE_", name),
                       f"Passphrase of custodian {name}", confirm=True))
        for name in custodians
    ]  # fmt: skip
    try:
        paths = files.split(key, asked, threshold=threshold, out_dir=out_dir)
    except (WeakSecret, ValueError, FileExistsError, CryptoError) as error:
        raise fail(str(error)) from None
    out.print(f"the survey key is now opened by {threshold} of {len(custodians)} custodians;")
    out.print(f"{files.private.name} is removed. Hand each custodian their share:")
    for path in paths:
        out.print(f"  {path}")


def _key_files(data_dir: Path, key_id: str | None) -> SurveyKeyFiles:
    """The files of key `key_id` (None, or the first key's id: the first key's)."""
    from sync_server.survey_keys import SurveyKeyFiles

    first = SurveyKeyFiles(data_dir)
    if key_id is None or (first.public.exists() and first.public_key().key_id() == key_id):
        return first
    return SurveyKeyFiles(data_dir, key_id)


def unlock_survey_key(
    data_dir: Path, shares: list[Path], key_id: str | None = None
) -> SurveyPrivateKey:
    """A private key for the processor (the first key, or ring key `key_id`): from its
    passphrase, or, once it is in custody, from the shares presented (each custodian's
    passphrase asked in turn)."""
    from crypto import CryptoError, WrongPassphrase, read_share_file

    files = _key_files(data_dir, key_id)
    try:
        if not files.in_custody:
            if shares:
                raise fail("the survey key is not in custody: unlock it with its passphrase")
            return files.unlock(key_passphrase(confirm=False, key_id=files.key_id))
        shared = files.shared_key()
        if len(shares) < shared.threshold:
            raise fail(
                f"the survey key is held by custodians: give --share FILE for {shared.threshold} "
                f"of its {shared.shares} shares ({len(shares)} given)"
            )
        presented = []
        for path in shares:
            share = read_share_file(path)
            env = _env_name("MSS_SHARE_PASSPHRASE_", str(share.index))
            prompt = f"Passphrase of custodian {share.custodian} (share {share.index})"
            presented.append((share, secret(env, prompt, confirm=False)))
        return files.unlock_with(presented)
    except WrongPassphrase as error:
        raise fail(f"the passphrase does not unlock the survey key ({error})") from None
    except CryptoError as error:
        raise fail(str(error)) from None


def _ring_keys_on_host(data_dir: Path) -> list[str]:
    from sync_server.survey_keys import SurveyKeyFiles

    ring = data_dir / "keys" / "ring"
    found = sorted(p.name for p in ring.iterdir()) if ring.is_dir() else []
    return [key_id for key_id in found if SurveyKeyFiles(data_dir, key_id).exist()]


def unlock_held_keys(data_dir: Path, shares: list[Path], key_ids: list[str]) -> HeldKeys:
    """The keys `mss server process` holds: those named by --key, else every key whose file
    is on this host; each by its passphrase, or, in custody, by the shares given for it
    (a share file names its key)."""
    from crypto import CryptoError, read_share_file
    from sync_server.processor import HeldKeys
    from sync_server.survey_keys import SurveyKeyFiles

    first = SurveyKeyFiles(data_dir)
    first_id = first.public_key().key_id()
    on_host = ([first_id] if first.exist() else []) + _ring_keys_on_host(data_dir)
    chosen = list(dict.fromkeys(key_ids)) or on_host
    missing = [key_id for key_id in chosen if key_id not in on_host]
    if missing:
        raise fail(f"no private file of survey key {', '.join(missing)} on this host")
    if not chosen:
        raise fail(f"{data_dir} holds no survey private key on this host")
    shares_of: dict[str, list[Path]] = {}
    try:
        for path in shares:
            shares_of.setdefault(read_share_file(path).public_key.key_id(), []).append(path)
    except CryptoError as error:
        raise fail(str(error)) from None
    stray = sorted(set(shares_of) - set(chosen))
    if stray:
        raise fail(f"--share given for survey key {', '.join(stray)}, which is not unlocked here")
    keys = {
        key_id: unlock_survey_key(data_dir, shares_of.get(key_id, []), key_id) for key_id in chosen
    }
    return HeldKeys(keys, first_id)
