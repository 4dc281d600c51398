"""Throttling of sign-in guesses: wrong passwords per user name and per address, unknown API
tokens per address. Shared by every intake worker, since it is kept in the central store.

The first few failures cost nothing; then each one makes the subject wait twice as long
before the next try is even checked (up to 15 minutes), and a user name that keeps failing
is held until an administrator lifts it. While a subject waits, even the right password
is refused, and without an Argon2id run, so a flood of guesses does not slow the server.
Unknown user names are counted like real ones: the answers never tell them apart.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from sync_server.store.access_models import SignInFailure
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]

FREE_FAILURES = 3
MAX_WAIT = timedelta(minutes=15)
HOLD_AFTER = 20  # failures in a row for one user name: an administrator must lift it
FORGET_AFTER = timedelta(hours=1)  # a quiet subject starts afresh


def user_subject(name: str) -> str:
    return f"user:{name[:150]}"


def address_subject(address: str) -> str:
    return f"address:{address[:150]}"


@dataclass(frozen=True)
class Verdict:
    """Whether a subject may try now; when not, how long it waits (None: held)."""

    allowed: bool
    wait_seconds: int | None = None
    failures: int = 0


def wait_after(failures: int) -> timedelta:
    """How long a subject waits after its `failures`-th failure in a row."""
    if failures <= FREE_FAILURES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - FREE_FAILURES)), MAX_WAIT)


def _verdict(row: SignInFailure | None, now: datetime) -> Verdict:
    if row is None:
        return Verdict(True)
    if row.held:
        return Verdict(False, None, row.failures)
    if row.locked_until is not None and now < row.locked_until:
        seconds = int((row.locked_until - now).total_seconds()) + 1
        return Verdict(False, seconds, row.failures)
    return Verdict(True, failures=row.failures)


def check(session_factory: sessionmaker[Session], subjects: list[str], *, clock: Clock) -> Verdict:
    """The strictest verdict over `subjects` (a user name and an address)."""
    now = clock()
    with session_factory() as session:
        verdicts = [_verdict(session.get(SignInFailure, subject), now) for subject in subjects]
    refused = [verdict for verdict in verdicts if not verdict.allowed]
    if not refused:
        return Verdict(True)
    if any(verdict.wait_seconds is None for verdict in refused):
        return next(verdict for verdict in refused if verdict.wait_seconds is None)
    return max(refused, key=lambda verdict: verdict.wait_seconds or 0)


def record_failure(
    session_factory: sessionmaker[Session], subjects: list[str], *, clock: Clock, hold: bool
) -> int:
    """Count one failure for each subject; the highest count. `hold` lets a user subject
    reach the administrator's hold (addresses only ever wait)."""
    now = clock()

    def work(session: Session) -> int:
        highest = 0
        for subject in subjects:
            row = session.get(SignInFailure, subject, with_for_update=True)
            if row is None:
                row = SignInFailure(subject=subject, failures=0, last_failure_at=now, held=False)
                session.add(row)
            elif now - row.last_failure_at > FORGET_AFTER and not row.held:
                row.failures = 0
            row.failures += 1
            row.last_failure_at = now
            row.locked_until = now + wait_after(row.failures)
            if hold and subject.startswith("user:") and row.failures >= HOLD_AFTER:
                row.held = True
            highest = max(highest, row.failures)
        return highest

    return in_transaction(session_factory, work)


def clear(session_factory: sessionmaker[Session], subject: str) -> bool:
    """Forget a subject's failures (a right password, or an administrator lifting a hold);
    False if there were none."""

    def work(session: Session) -> bool:
        row = session.get(SignInFailure, subject)
        if row is None:
            return False
        session.delete(row)
        return True

    return in_transaction(session_factory, work)


def worth_auditing(failures: int) -> bool:
    """Audit the first failures one by one, then only at 8, 16, 32 … and at the hold: a
    flood of guesses writes a handful of rows, each saying how many came before."""
    return failures <= FREE_FAILURES or failures == HOLD_AFTER or failures & (failures - 1) == 0
