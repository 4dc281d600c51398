"""The `mss` command: one entry point, one group per user.

Each group lives beside the code it drives (questionnaire_specs.spec_commands,
device_app.station_commands, sync_server.server_commands) and imports its heavy parts
inside the commands, so `mss --help` is fast.
"""

from __future__ import annotations

import typer

from device_app.station_commands import app as station_app
from questionnaire_specs.spec_commands import app as spec_app
from sync_server.server_commands import app as server_app

app = typer.Typer(
    name="mss",
    help="Mobile Survey Stations: encrypted, offline-first survey collection.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(spec_app, name="spec", help="Check, hash, show and import questionnaire specs.")
app.add_typer(station_app, name="station", help="Provision, run and sync a survey station.")
app.add_typer(server_app, name="server", help="Run the central server: intake, processing.")


def main() -> None:
    app()
