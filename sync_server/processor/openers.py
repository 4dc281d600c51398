"""Processing on several cores: `mss server process --workers N`.

The work is CPU-bound (opening and checking), so more processes are what more cores give:
- PostgreSQL: N processors, each running run.process_inbox with its own connections and
  claiming its chunks with SELECT … FOR UPDATE SKIP LOCKED: no envelope is claimed twice.
- SQLite (one writer at a time): this process stays the only writer, claiming and
  committing each chunk as before, and opens a part of each chunk while N - 1 forked
  opener processes open and check the rest.
Exactly-once is the single-process rule either way: a chunk is marked and its responses
inserted in one transaction.

The processes are forked, so each inherits the unlocked survey keys in memory: it never goes
through a pipe, a file or an environment variable.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from crypto import SurveyPrivateKey
from sync_server.processor.loading import ClaimedEnvelope, Loaded, SetAside
from sync_server.processor.run import (
    Clock,
    HeldKeys,
    Opener,
    ProcessReport,
    Progress,
    open_claimed,
    pending_count,
    process_inbox,
)

Sessions = Callable[[], sessionmaker[Session]]  # called in a forked processor: its own engine
_FORK = multiprocessing.get_context("fork")
_POLL_S = 0.5

# Set in the parent just before forking, read by the forked children only.
_forked_keys: HeldKeys | None = None


def process_with_workers(
    session_factory: sessionmaker[Session],
    held: HeldKeys | SurveyPrivateKey,
    *,
    workers: int,
    fresh_sessions: Sessions,
    clock: Clock,
    worker_id: str = "processor",
    chunk_size: int = 200,
    progress: Progress | None = None,
) -> ProcessReport:
    """process_inbox on `workers` processes (1: this process alone). `fresh_sessions` makes
    a session factory on a new engine: a forked processor never shares its parent's
    connections."""
    if isinstance(held, SurveyPrivateKey):
        held = HeldKeys.only(held)
    if workers <= 1:
        return process_inbox(
            session_factory, held, clock=clock, worker_id=worker_id,
            chunk_size=chunk_size, progress=progress,
        )  # fmt: skip
    dialect = session_factory.kw["bind"].dialect.name
    if dialect == "postgresql":
        return _processors(
            fresh_sessions, session_factory, held, workers, clock, worker_id, chunk_size,
            progress,
        )  # fmt: skip
    with _openers(held, workers) as opener:
        return process_inbox(
            session_factory, held, clock=clock, worker_id=worker_id,
            chunk_size=chunk_size, progress=progress, opener=opener,
        )  # fmt: skip


# --- PostgreSQL: several processors -------------------------------------------------------


def _processor(
    sessions: Sessions, clock: Clock, worker_id: str, chunk_size: int, reports: Any
) -> None:
    assert _forked_keys is not None
    report = process_inbox(
        sessions(), _forked_keys, clock=clock, worker_id=worker_id, chunk_size=chunk_size
    )
    reports.put(report)


def _processors(
    sessions: Sessions,
    session_factory: sessionmaker[Session],
    held: HeldKeys,
    workers: int,
    clock: Clock,
    worker_id: str,
    chunk_size: int,
    progress: Progress | None,
) -> ProcessReport:
    global _forked_keys  # noqa: PLW0603 - handed to the forked children through memory only
    _forked_keys = held
    total = pending_count(session_factory, held)
    reports = _FORK.Queue()
    children = [
        _FORK.Process(
            target=_processor,
            args=(sessions, clock, f"{worker_id}-{number}", chunk_size, reports),
        )
        for number in range(1, workers + 1)
    ]
    try:
        for child in children:
            child.start()
        report = ProcessReport()
        received = 0
        while received < len(children):
            try:
                report.add(reports.get(timeout=_POLL_S))
                received += 1
            except queue.Empty:
                if any(c.exitcode not in (None, 0) for c in children):
                    break
            if progress is not None:
                progress(total - pending_count(session_factory, held), total)
        for child in children:
            child.join()
    finally:
        _forked_keys = None
    failed = [c.exitcode for c in children if c.exitcode != 0]
    if failed:
        # Every chunk a processor committed stays; the rest is pending for the next run.
        raise RuntimeError(f"{len(failed)} processor(s) stopped with an error: run again")
    return report


# --- SQLite: one writer, several openers ---------------------------------------------------


def _open_part(
    part: tuple[Sequence[ClaimedEnvelope], dict[tuple[str, str], str]],
) -> list[Loaded | SetAside]:
    chunk, bodies = part
    assert _forked_keys is not None
    return [open_claimed(e, bodies, _forked_keys) for e in chunk]


class _openers:  # noqa: N801 - used as a context manager, named as the thing it gives
    """The chunk in `workers` parts: this process opens the first while a pool of forked
    opener processes opens the others (the writer would otherwise only wait for them)."""

    def __init__(self, held: HeldKeys, workers: int) -> None:
        self.held, self.workers = held, workers

    def __enter__(self) -> Opener:
        global _forked_keys  # noqa: PLW0603 - handed to the forked children through memory only
        _forked_keys = self.held
        self.pool = _FORK.Pool(self.workers - 1)
        _forked_keys = None  # the children have their copy; the parent keeps its own

        def opener(
            chunk: Sequence[ClaimedEnvelope], bodies: dict[tuple[str, str], str]
        ) -> list[Loaded | SetAside]:
            size = -(-len(chunk) // self.workers)
            mine, *theirs = [(chunk[i : i + size], bodies) for i in range(0, len(chunk), size)]
            pending = self.pool.map_async(_open_part, theirs)
            here = [open_claimed(e, bodies, self.held) for e in mine[0]]
            return here + [outcome for part in pending.get() for outcome in part]

        return opener

    def __exit__(self, *_: object) -> None:
        self.pool.close()
        self.pool.join()
