"""A station process for the kill loop: scripted respondents finish and sync until killed.

Run as `python -m miniatures.station_worker STATION_DIR SERVER_URL PROGRESS SEED`.
The passphrase comes from MSS_STATION_PASSPHRASE. Before each finish it appends
"begin N" to PROGRESS and after it "done N", each line fsynced, so the test knows which
responses were reported finished when the SIGKILL came.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from random import Random


def reported(progress: Path) -> tuple[int, int]:
    """(highest finished, highest begun) from the worker's fsynced progress lines."""
    done = begun = 0
    for line in progress.read_text(encoding="utf-8").splitlines():
        kind, _, number = line.partition(" ")
        if kind == "done":
            done = max(done, int(number))
        elif kind == "begin":
            begun = max(begun, int(number))
    return done, begun


def note(handle: object, line: str) -> None:
    handle.write(line + "\n")  # type: ignore[attr-defined]
    handle.flush()  # type: ignore[attr-defined]
    os.fsync(handle.fileno())  # type: ignore[attr-defined]


def main() -> None:
    station_dir, server_url, progress_path, seed = sys.argv[1:5]
    rng = Random(int(seed))  # noqa: S311 - test choreography
    from device_app.errors import StationError
    from device_app.scripted_respondent import simulate_respondents
    from device_app.station import Station

    station = Station.unlock(Path(station_dir), os.environ["MSS_STATION_PASSPHRASE"],
                             sleep=lambda _s: None)  # fmt: skip
    with open(progress_path, "a", encoding="utf-8") as progress:
        note(progress, "ready")
        for _ in range(400):
            if rng.random() < 0.25:
                with contextlib.suppress(StationError):
                    station.sync(server_url=server_url, max_attempts=2)
                continue
            number = station.status().last_seq + 1
            note(progress, f"begin {number}")
            simulate_respondents(station, 1, rng=rng)
            note(progress, f"done {number}")
    station.close()


if __name__ == "__main__":
    main()
