"""The coordinator menu's status lines, in the coordinator's language."""

from __future__ import annotations

from device_app import messages as words
from device_app.station import StationStatus


def status_lines(status: StationStatus, language: str) -> list[str]:
    last = (
        status.last_sync.strftime("%Y-%m-%d %H:%M")
        if status.last_sync is not None
        else words.text("never", language)
    )
    specs = ", ".join(f"{spec} {version}" for spec, version in sorted(status.spec_versions.items()))
    warning = (
        [words.text("wrong_clock", language, date=status.wrong_clock.isoformat())]
        if status.wrong_clock is not None
        else []
    )
    return warning + [
        f"{words.text('station', language)}: {status.station_id}",
        f"{words.text('pending', language)}: {status.pending}",
        f"{words.text('acknowledged', language)}: {status.acknowledged}",
        f"{words.text('last_sync', language)}: {last}",
        f"{words.text('specs', language)}: {specs}",
    ]
