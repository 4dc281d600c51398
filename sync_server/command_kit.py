"""What every `mss server …` command shares: option types, one-line failures, the store.

Used by sync_server/server_commands.py and the command modules beside the code they drive
(access/user_commands.py, releases/release_commands.py), so that they open the store,
report errors and read durations the same way.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from sync_server.settings import Settings

out = Console()
err = Console(stderr=True)

DataDir = Annotated[Path, typer.Option("--data-dir", help="The server's data directory.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one clear line and give the Exit to raise: never a traceback."""
    err.print(f"[red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def check_place(country: str, wave: str | None = None) -> None:
    """The one spelling of --country (ISO 3166 alpha-2) and --wave the commands accept."""
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise fail("--country must be a two-letter ISO 3166 code in capitals, e.g. SL")
    if wave is not None and not re.fullmatch(r"[A-Za-z0-9_.-]{1,20}", wave):
        raise fail("--wave is 1 to 20 letters, digits, '.', '_' or '-', e.g. 2026")


@contextmanager
def central_store(
    data_dir: Path, *, create: bool = False
) -> Iterator[tuple[Settings, sessionmaker[Session]]]:
    """Settings and a session factory on the migrated central store (SQLite under data_dir
    unless MSS_DATABASE_URL names another). Without `create`, the directory must exist."""
    from sync_server.settings import Settings
    from sync_server.store import make_engine, make_session_factory, upgrade_to_head

    if create:
        data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    elif not data_dir.is_dir():
        raise fail(f"{data_dir} is not a directory: give the server's --data-dir")
    settings = Settings.from_env(os.environ, data_dir=data_dir)
    engine = make_engine(settings.effective_database_url)
    try:
        upgrade_to_head(engine)
        yield settings, make_session_factory(engine)
    finally:
        engine.dispose()


def parse_lifetime(text: str, *, option: str = "--expires") -> timedelta:
    """`7d`, `12h` or `30m` as a duration; a clear error otherwise."""
    match = re.fullmatch(r"(\d{1,4})([dhm])", text.strip())
    if not match or int(match.group(1)) == 0:
        raise fail(f"{option} is a whole number and d, h or m, e.g. 7d, 12h, 30m")
    amount = int(match.group(1))
    unit = {"d": "days", "h": "hours", "m": "minutes"}[match.group(2)]
    return timedelta(**{unit: amount})
