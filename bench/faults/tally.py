"""What one fault case counts, and the 5xx counter wrapped around the real app."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Tally:
    """Per case: attacks or faults tried, and what went wrong. Every target is 0 but `tried`."""

    tried: int = 0
    got_through: int = 0  # should have been refused, and was accepted, opened or counted
    lost: int = 0  # a legitimate response the server does not hold at the end
    duplicated: int = 0  # a legitimate response held or counted more than once
    five_xx: int = 0  # server answers >= 500, and processor runs that died
    notes: list[str] = field(default_factory=list)  # the first few failures, for the reader

    def note(self, text: str) -> None:
        if len(self.notes) < 5:
            self.notes.append(text)

    def add(self, other: Tally) -> None:
        self.tried += other.tried
        self.got_through += other.got_through
        self.lost += other.lost
        self.duplicated += other.duplicated
        self.five_xx += other.five_xx
        for text in other.notes:
            self.note(text)

    @property
    def met(self) -> bool:
        return self.tried > 0 and not (self.got_through or self.lost or self.duplicated
                                       or self.five_xx)  # fmt: skip

    def as_dict(self) -> dict[str, int]:
        return {"tried": self.tried, "got_through": self.got_through, "lost": self.lost,
                "duplicated": self.duplicated, "five_xx": self.five_xx}  # fmt: skip


class CountFiveXx:
    """ASGI wrapper around the real app: counts the answers of status 500 or more it sends
    (the app itself is untouched; this only watches `http.response.start`)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.count = 0
        self.state = app.state

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        async def watch(message: dict) -> None:
            if message["type"] == "http.response.start" and message["status"] >= 500:
                self.count += 1
            await send(message)

        await self.app(scope, receive, watch if scope["type"] == "http" else send)
