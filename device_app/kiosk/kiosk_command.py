"""`mss station run`: the typer command that starts the kiosk (mounted by
device_app/station_commands.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from device_app.kiosk.fonts import MissingFontError, find_fonts

PASSPHRASE_ENV = "MSS_STATION_PASSPHRASE"  # noqa: S105 - the variable's name, not a secret


def run(
    station_dir: Annotated[
        Path, typer.Option("--station-dir", help="The provisioned station's directory.")
    ],
    windowed: Annotated[
        bool, typer.Option("--windowed", help="A window instead of fullscreen (set-up, tests).")
    ] = False,
) -> None:
    """Run the survey kiosk. Unlock on screen, or set MSS_STATION_PASSPHRASE."""
    if not Path(station_dir).is_dir():
        typer.echo(f"error: {station_dir} is not a station directory", err=True)
        raise typer.Exit(2)
    try:
        find_fonts()
    except MissingFontError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    passphrase = os.environ.get(PASSPHRASE_ENV) or None
    from device_app.kiosk.launch import run_kiosk  # Kivy only now: --help stays fast

    run_kiosk(Path(station_dir), passphrase, windowed)
