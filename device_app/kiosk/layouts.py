"""Loads the .kv layouts of the widgets and screens, once per process, when the app starts."""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).parent
KV_FILES = [_HERE / "widgets.kv", *sorted((_HERE / "screens").glob("*.kv"))]


def load_layouts() -> None:
    from kivy.lang import Builder

    for path in KV_FILES:
        if str(path) not in Builder.files:
            Builder.load_file(str(path))
