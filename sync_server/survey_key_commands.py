"""`mss server survey-key`: the survey key's custody, and how the processor unlocks it.

`split` hands the key to m of n custodians: each types their own passphrase (or a script
sets MSS_CUSTODIAN_PASSPHRASE_<NAME>), gets a share file, and from then on the processor
starts only when m of them present their shares (`mss server process --share FILE ...`,
each passphrase typed, or MSS_SHARE_PASSPHRASE_<index>). The key lives in the processor's
memory only; no file on the server opens it alone.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from sync_server.command_kit import DataDir, fail, out

if TYPE_CHECKING:
    from crypto import SurveyPrivateKey

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
KEY_PASSPHRASE_ENV = "MSS_KEY_PASSPHRASE"  # noqa: S105 - the variable's name


def _env_name(prefix: str, label: str) -> str:
    return prefix + re.sub(r"[^A-Z0-9]", "_", label.upper())


def _secret(env: str, prompt: str, *, confirm: bool) -> str:
    from_env = os.environ.get(env)
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise fail(f"no passphrase: set {env} or run from a terminal")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=confirm))


def key_passphrase(*, confirm: bool) -> str:
    return _secret(KEY_PASSPHRASE_ENV, "Survey key passphrase", confirm=confirm)


@app.command("split")
def split(
    data_dir: DataDir,
    custodians: Annotated[
        list[str], typer.Option("--custodian", help="A custodian's name (once for each).")
    ],
    threshold: Annotated[int, typer.Option(help="How many custodians together open the key.")],
    out_dir: Annotated[Path, typer.Option("--out", help="Where the share files go.")],
) -> None:
    """Put the survey key into m-of-n custody and remove its single-passphrase file."""
    from crypto import CryptoError, WeakSecret
    from sync_server.survey_keys import SurveyKeyFiles

    files = SurveyKeyFiles(data_dir)
    if files.in_custody:
        raise fail(f"the survey key is already in custody ({files.shared})")
    if not files.private.exists():
        raise fail(f"{data_dir} holds no survey key: run `mss server init` first")
    if not 2 <= threshold <= len(custodians):
        raise fail(f"--threshold must be from 2 to the number of custodians ({len(custodians)})")
    try:
        key = files.unlock(key_passphrase(confirm=False))
    except CryptoError as error:
        raise fail(str(error)) from None
    asked = [
        (name, _secret(_env_name("MSS_CUSTODIAN_PASSPHRASE_", name),
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


def unlock_survey_key(data_dir: Path, shares: list[Path]) -> SurveyPrivateKey:
    """The private key for the processor: from the key passphrase, or, once the key is in
    custody, from the shares presented (each custodian's passphrase asked in turn)."""
    from crypto import CryptoError, WrongPassphrase, read_share_file
    from sync_server.survey_keys import SurveyKeyFiles

    files = SurveyKeyFiles(data_dir)
    try:
        if not files.in_custody:
            if shares:
                raise fail("the survey key is not in custody: unlock it with its passphrase")
            return files.unlock(key_passphrase(confirm=False))
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
            presented.append((share, _secret(env, prompt, confirm=False)))
        return files.unlock_with(presented)
    except WrongPassphrase as error:
        raise fail(f"the passphrase does not unlock the survey key ({error})") from None
    except CryptoError as error:
        raise fail(str(error)) from None
