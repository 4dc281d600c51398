"""`mss server operator-key`: the operator's Ed25519 signing key, which vouches for every new
survey key (`mss server survey-key new --operator-key FILE`).

`new` writes the private key, under its own passphrase (MSS_OPERATOR_PASSPHRASE, else a
prompt), to a file the operator keeps OFF the server (a USB stick in a safe, an offline
laptop), and registers only the public half with the server: bundles and QR codes carry
it from then on, and stations pin it. Whoever takes over the intake server then cannot
announce a survey key of their own (device_app/key_rotation.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sync_server.command_kit import DataDir, central_store, fail, out
from sync_server.survey_key_commands import initialised, secret

app = typer.Typer(no_args_is_help=True, pretty_exceptions_enable=False)
OPERATOR_PASSPHRASE_ENV = "MSS_OPERATOR_PASSPHRASE"  # noqa: S105 - the variable's name


def operator_passphrase(*, confirm: bool) -> str:
    return secret(OPERATOR_PASSPHRASE_ENV, "Operator key passphrase", confirm=confirm)


@app.command("new")
def new(
    data_dir: DataDir,
    out_path: Annotated[
        Path,
        typer.Option("--out", help="The private key file: on removable media, not the server."),
    ],
) -> None:
    """Make the operator key: the private file at --out, the public half registered here."""
    from crypto import (
        SURVEY_KEY_PASSPHRASE,
        CryptoError,
        OperatorKey,
        secret_weakness,
        write_operator_key_file,
    )
    from sync_server.settings import utc_now
    from sync_server.survey_keys import register_operator_key

    initialised(data_dir)
    if out_path.exists():
        raise fail(f"{out_path} exists: a key file is never overwritten")
    passphrase = operator_passphrase(confirm=True)
    # The same rule as the survey key's: a copied file can be attacked offline.
    weakness = secret_weakness(passphrase, SURVEY_KEY_PASSPHRASE)
    if weakness is not None:
        raise fail(weakness)
    key = OperatorKey.generate()
    with central_store(data_dir) as (_settings, sessions):
        try:
            register_operator_key(sessions, key.public_key(), clock=utc_now)
        except ValueError as error:
            raise fail(str(error)) from None
        try:
            out_path.parent.mkdir(parents=True, exist_ok=True)
            write_operator_key_file(out_path, key, passphrase)
        except (CryptoError, OSError) as error:
            raise fail(f"cannot write the operator key: {error}") from None
    out.print(f"operator key {key.public_key().fingerprint()}: the private file is {out_path}")
    out.print("keep it and its passphrase off this server; stations provisioned from now pin it")
