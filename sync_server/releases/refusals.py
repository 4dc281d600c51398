"""Why a release is refused: a stable code for scripts and the audit log, and a sentence."""

from __future__ import annotations


class ReleaseRefused(Exception):  # noqa: N818 - an outcome, named as the caller reports it
    """The release cannot be built as asked; nothing was written."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
