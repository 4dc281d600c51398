"""Pick the folder (a USB stick's mount point) to export the outbox to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.modalview import ModalView

from device_app import messages as words


class ExportFolderChooser(ModalView):
    start_path = StringProperty("/")
    here_text = StringProperty("")
    cancel_text = StringProperty("")
    rtl = BooleanProperty(False)

    def __init__(
        self,
        *,
        language: str,
        rtl: bool,
        start: Path,
        on_folder: Callable[[Path], None],
        **kwargs: Any,
    ) -> None:
        super().__init__(auto_dismiss=False, **kwargs)
        self.rtl = rtl
        self.start_path = str(start if start.is_dir() else Path.home())
        self.here_text = words.text("export_here", language)
        self.cancel_text = words.text("cancel", language)
        self._on_folder = on_folder

    def chosen_folder(self) -> Path:
        chooser = self.ids.chooser
        # a selected sub-folder wins; otherwise the folder being shown
        return Path(chooser.selection[0]) if chooser.selection else Path(chooser.path)

    def press_export(self) -> None:
        # at once: a modal view fading out still takes every touch meant for the menu
        self.dismiss(animation=False)
        self._on_folder(self.chosen_folder())
