"""The APK's entry point (python-for-android runs main.py): the kiosk, fullscreen, locked
until a coordinator unlocks it on screen. The station lives in the app's private storage,
the fonts ship inside the APK (an Android tablet has no Debian Noto package)."""

from __future__ import annotations

import os
from pathlib import Path

from device_app.kiosk.launch import run_kiosk
from device_app.kiosk.settings import KioskSettings

HERE = Path(__file__).resolve().parent


def station_dir(environ: dict[str, str]) -> Path:
    """python-for-android names the app's private directory in ANDROID_PRIVATE."""
    return Path(environ.get("ANDROID_PRIVATE", str(HERE))) / "mss-station"


def main() -> None:
    settings = KioskSettings(fullscreen=True, font_dir=HERE / "fonts")
    run_kiosk(station_dir(dict(os.environ)), None, windowed=False, settings=settings)


if __name__ == "__main__":
    main()
