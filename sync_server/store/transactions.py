"""One unit of work in one transaction, retried when a concurrent writer got there first."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

# PostgreSQL: serialization_failure, deadlock_detected.
_RETRYABLE_SQLSTATES = {"40001", "40P01"}
ATTEMPTS = 3


def _retryable(error: DBAPIError) -> bool:
    if isinstance(error, IntegrityError):
        # A unique key taken by a concurrent transaction (e.g. the same envelope id from two
        # stations at once): run again and the fresh read sees it.
        return True
    return getattr(error.orig, "sqlstate", None) in _RETRYABLE_SQLSTATES


def in_transaction(session_factory: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run `work` in one transaction; commit on return, roll back on any exception."""
    for attempt in range(ATTEMPTS):
        try:
            with session_factory() as session, session.begin():
                return work(session)
        except DBAPIError as error:
            if attempt == ATTEMPTS - 1 or not _retryable(error):
                raise
    raise AssertionError("unreachable")
