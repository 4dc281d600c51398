"""Real stations in the field for the station-side cases: the kiosk miniature world (a real
server on SQLite with the survey key and the two small specs) under uvicorn on 127.0.0.1,
watched by the 5xx counter, and real `Station`s provisioned against it."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bench.faults.tally import CountFiveXx
from device_app.station import Station
from miniatures.kiosk_stations import PASSPHRASE, KioskWorld, make_kiosk_world
from miniatures.served_app import served


@dataclass
class Field:
    world: KioskWorld
    app: CountFiveXx
    url: str

    @property
    def sessions(self):  # noqa: ANN201 - the server's sessionmaker
        return self.world.session_factory

    def station(self, name: str, *, clock: Callable[[], datetime] | None = None,
                url: str | None = None) -> Station:  # fmt: skip
        """A provisioned, unlocked station (syncing to `url`, the server's by default)."""
        folder = self.world.root / name
        if not folder.exists():
            self.world.server_url = url or self.url
            self.world.provision(name)
        return self.unlock(name, clock=clock)

    def unlock(self, name: str, *, clock: Callable[[], datetime] | None = None) -> Station:
        options = {"clock": clock} if clock else {}
        return Station.unlock(self.world.root / name, PASSPHRASE, sleep=lambda _s: None,
                              **options)  # type: ignore[arg-type]  # fmt: skip


@contextlib.contextmanager
def field() -> Iterator[Field]:
    with tempfile.TemporaryDirectory(prefix="mss-faults-") as folder:
        world = make_kiosk_world(Path(folder))
        app = CountFiveXx(world.app)
        try:
            with served(app) as url:
                yield Field(world=world, app=app, url=url)
        finally:
            world.session_factory.kw["bind"].dispose()
