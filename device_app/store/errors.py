"""What can go wrong with the station database, each with a stable code: the store's part
of the station's one error catalogue (device_app/errors.py), so callers need no translation.

The messages name the problem and what to do; they never carry a passphrase, a key or an
answer. The codes are stable so the CLI and the kiosk can choose their words and exit codes
without parsing English.
"""

from __future__ import annotations

# The station-level errors the store raises as they are (re-exported for the store's code).
from device_app.errors import NotAStation as NotAStation
from device_app.errors import StationDamaged, StationError, WrongPassphrase

StationLocked = WrongPassphrase  # the passphrase does not unlock this station


class StoreError(StationError):
    """Base of every station-store error; `code` is stable, the message is for people."""

    code = "store-error"


class StationExists(StoreError):
    """`create` found a station (or the remains of one) where it was asked to make one."""

    code = "station-exists"


class KeyFileDamaged(StoreError, StationDamaged):
    """The station key file is unreadable or damaged; the database cannot be unlocked."""

    code = "station-key-damaged"


class DatabaseUnreadable(StoreError, StationDamaged):
    """The key unwrapped but the database does not open with it (damaged or swapped file)."""

    code = "station-database-unreadable"


class SchemaTooNew(StoreError):
    """The database was migrated by a newer version of the station software."""

    code = "schema-too-new"


class StoreClosed(StoreError):
    """The store was used after `close()`."""

    code = "store-closed"


class InvalidValue(StoreError):
    """An argument is malformed (empty passphrase, unknown state, bad config key…)."""

    code = "invalid-value"


class EnvelopeMismatch(StoreError):
    """The envelope built for the outbox does not match its slot (seq, prev, id, hash)."""

    code = "envelope-mismatch"


class UnknownEnvelope(StoreError):
    """No envelope with that id is in the outbox."""

    code = "unknown-envelope"


class UnknownBatch(StoreError):
    """The batch was never recorded with `record_batch`."""

    code = "unknown-batch"


class BatchConflict(StoreError):
    """A batch id or batch_seq is already recorded with other content, or was never issued."""

    code = "batch-conflict"


class SpecConflict(StoreError):
    """A spec with this id and version is already stored with other content."""

    code = "spec-conflict"
