"""The station database: one SQLCipher file per station, unlocked by the coordinator passphrase."""

from device_app.store.batches import BatchRecord
from device_app.store.config import ConfigKey, StoredSpec
from device_app.store.errors import (
    BatchConflict,
    DatabaseUnreadable,
    EnvelopeMismatch,
    InvalidValue,
    KeyFileDamaged,
    NotAStation,
    SchemaTooNew,
    SpecConflict,
    StationExists,
    StationLocked,
    StoreClosed,
    StoreError,
    UnknownBatch,
    UnknownEnvelope,
)
from device_app.store.outbox import (
    GENESIS_HASH,
    ChainProblem,
    OutboxCounts,
    OutboxEntry,
    SealedEnvelope,
)
from device_app.store.station_store import StationStore
from device_app.store.sync_log import SyncStatus

__all__ = [
    "GENESIS_HASH",
    "BatchConflict",
    "BatchRecord",
    "ChainProblem",
    "ConfigKey",
    "DatabaseUnreadable",
    "EnvelopeMismatch",
    "InvalidValue",
    "KeyFileDamaged",
    "NotAStation",
    "OutboxCounts",
    "OutboxEntry",
    "SchemaTooNew",
    "SealedEnvelope",
    "SpecConflict",
    "StationExists",
    "StationLocked",
    "StationStore",
    "StoreClosed",
    "StoreError",
    "StoredSpec",
    "SyncStatus",
    "UnknownBatch",
    "UnknownEnvelope",
]
