"""The USB manifest: what `manifest.json` on a stick says about the batch files beside it.

The station writes it (device_app/usb.py) and the server reads it (sync_server/ingest/
usb_import.py) through this one model, so the two cannot drift apart. Each batch file
`<station_id>-<batch_seq>.mssb` holds exactly the gzip bytes of an HTTP batch body; the
manifest lists each file's name, SHA-256, batch id, batch_seq, envelope count and station
id, so the server can refuse a file altered on the stick before it reads a byte of it.

On disk: JSON, keys sorted, indented by two spaces, one trailing newline.
"""

from __future__ import annotations

import json
from typing import Annotated

from pydantic import Field, StringConstraints

from protocol.limits import MAX_ENVELOPES_PER_BATCH, MAX_SEQUENCE
from protocol.wire import ProtocolVersion, Sha256Hex, StationId, Uuid4Text, _Wire

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
BATCH_FILE_SUFFIX = ".mssb"

# A bare file name in the folder: no directory part can ride along.
BatchFileName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,100}\.mssb$")]


def batch_file_name(station_id: str, batch_seq: int) -> str:
    return f"{station_id}-{batch_seq}{BATCH_FILE_SUFFIX}"


class ManifestFile(_Wire):
    """One batch file on the stick."""

    file: BatchFileName
    sha256: Sha256Hex  # of the file's bytes
    batch_id: Uuid4Text
    batch_seq: Annotated[int, Field(ge=1, le=MAX_SEQUENCE)]
    envelopes: Annotated[int, Field(ge=1, le=MAX_ENVELOPES_PER_BATCH)]
    station_id: StationId


class UsbManifest(_Wire):
    v: ProtocolVersion = MANIFEST_VERSION
    files: list[ManifestFile]

    @classmethod
    def from_json(cls, data: bytes | str) -> UsbManifest:
        """The manifest in `data`; pydantic's ValidationError (a ValueError) otherwise."""
        return cls.model_validate_json(data)

    def to_json(self) -> bytes:
        return (json.dumps(self.model_dump(mode="json"), indent=2, sort_keys=True) + "\n").encode(
            "utf-8"
        )

    def with_file(self, item: ManifestFile) -> UsbManifest:
        """This manifest with `item` last, replacing an earlier entry for the same file."""
        kept = [entry for entry in self.files if entry.file != item.file]
        return self.model_copy(update={"files": [*kept, item]})

    def checksums(self) -> dict[str, str]:
        """file name -> sha256."""
        return {entry.file: entry.sha256 for entry in self.files}
