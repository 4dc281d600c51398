"""`mss spec …`: check, hash, show, export and import questionnaire specs."""

from __future__ import annotations

import typer

app = typer.Typer(no_args_is_help=True)
