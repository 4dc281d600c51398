"""Start the kiosk: prepare Kivy's environment BEFORE Kivy is imported, then run the app.

Kivy reads its environment and config at first import and opens the window at the first
widget import, so the order here matters. Answers must never reach a log: Kivy's file log is
off and, in production, its console log too.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from device_app.kiosk.settings import KioskSettings

if TYPE_CHECKING:
    from device_app.kiosk.app import KioskApp


def prepare_kivy(
    settings: KioskSettings,
    *,
    windowed: bool,
    console_log: bool = False,
    kivy_home: Path | None = None,
) -> None:
    """Set Kivy's environment and config. Call once, before anything imports Kivy."""
    os.environ["KIVY_NO_ARGS"] = "1"  # our command line is not Kivy's
    os.environ["KIVY_NO_FILELOG"] = "1"
    if not console_log:
        os.environ["KIVY_NO_CONSOLELOG"] = "1"
    # a private config directory, so that a stale ~/.kivy/config.ini cannot re-enable logs
    home = kivy_home or Path(tempfile.mkdtemp(prefix="mss-kivy-"))
    os.environ["KIVY_HOME"] = str(home)

    from kivy.config import Config

    Config.set("kivy", "log_enable", "0")
    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "keyboard_mode", "system")  # our own key grids, no Kivy VKeyboard
    Config.set("input", "mouse", "mouse,disable_multitouch")
    Config.set("graphics", "multisamples", "0")
    if windowed:
        width, height = settings.window_size
        Config.set("graphics", "fullscreen", "0")
        Config.set("graphics", "borderless", "0")
        Config.set("graphics", "width", str(width))
        Config.set("graphics", "height", str(height))
    else:
        Config.set("graphics", "fullscreen", "auto")
        Config.set("graphics", "borderless", "1")
    Config.set("graphics", "resizable", "0")


def build_app(station_dir: Path, passphrase: str | None, settings: KioskSettings) -> KioskApp:
    from device_app.kiosk.app import KioskApp

    return KioskApp(station_dir=Path(station_dir), passphrase=passphrase, settings=settings)


def run_kiosk(
    station_dir: Path,
    passphrase: str | None,
    windowed: bool,
    *,
    settings: KioskSettings | None = None,
) -> None:
    """Run the kiosk until the coordinator exits it from the menu.

    ``passphrase`` None shows the locked screen; a passphrase unlocks at start (unattended
    set-ups). It is handed to the station once and not kept.
    """
    settings = settings or KioskSettings(fullscreen=not windowed)
    prepare_kivy(settings, windowed=windowed)
    build_app(station_dir, passphrase, settings).run()
