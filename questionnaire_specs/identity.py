"""A spec's identity: (id, version, SHA-256 of its canonical JSON)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from questionnaire_specs.models import Spec

_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class SpecIdentity:
    """Which spec a response answers; what the station seals in and the server looks up."""

    id: str
    version: str
    sha256: str

    def __post_init__(self) -> None:
        if not _SHA256.fullmatch(self.sha256):
            raise ValueError("sha256 must be 64 lower-case hex digits")

    def as_dict(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> SpecIdentity:
        values = {key: data.get(key) for key in ("id", "version", "sha256")}
        if not all(isinstance(value, str) for value in values.values()):
            raise ValueError("a spec identity needs text id, version and sha256")
        return cls(**values)  # type: ignore[arg-type]

    def __str__(self) -> str:
        return f"{self.id} {self.version} ({self.sha256[:12]})"


def canonical_document(spec: Spec) -> dict[str, object]:
    """The validated spec as plain JSON data, defaults filled, empty optional fields left out."""
    return spec.model_dump(mode="json", by_alias=True, exclude_none=True)


def canonical_json(spec: Spec) -> bytes:
    """Sorted keys, compact separators, UTF-8 without escapes, no NaN: one byte string per spec."""
    return json.dumps(
        canonical_document(spec),
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
    ).encode("utf-8")


def spec_identity(spec: Spec) -> SpecIdentity:
    return SpecIdentity(spec.id, spec.version, hashlib.sha256(canonical_json(spec)).hexdigest())
