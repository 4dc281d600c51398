"""What the kiosk app shows to its parts: the stage, the overlay, the station while unlocked.

The respondent's flow and the coordinator's side are handed the app as a ``Navigation``, not
the app class itself: they show screens and overlays through it and find the station on it
(the station changes as the kiosk is locked and unlocked, so they ask each time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kivy.uix.modalview import ModalView
    from kivy.uix.screenmanager import Screen

    from device_app.kiosk.stage import Stage
    from device_app.station import Station


class Navigation(Protocol):
    station: Station | None  # None while the kiosk is locked
    overlay: ModalView | None  # the PIN pad, a picker or a chooser, over the screen
    screens: Stage

    @property
    def ui_language(self) -> str:
        """The respondent's language, else the coordinator's."""
        ...

    def require_station(self) -> Station: ...

    def is_rtl(self, language: str) -> bool: ...

    def is_rtl_safe(self, language: str) -> bool:
        """``is_rtl``, and False while locked (no spec to ask)."""
        ...

    def show(self, screen: Screen) -> Screen: ...

    def open_overlay(self, overlay: ModalView) -> None: ...

    def close_overlay(self) -> None: ...

    def show_locked(self) -> None: ...

    def show_welcome(self) -> None: ...

    def close_station(self) -> None: ...

    def stop(self) -> None: ...
