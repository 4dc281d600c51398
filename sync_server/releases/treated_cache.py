"""The one treated file per (spec, wave): all countries treated together, country a
quasi-identifier. National and pooled releases are cut from it, so a respondent carries the
same values (and the same respondent id) in both.

It is cached as Parquet beside the releases, named by the spec, the wave and a key derived
from the release seed and the input's fingerprint: new responses give a new key, so the
treatment is redone; the name reveals neither the seed nor the data. A freshly treated frame
goes through the same Parquet round trip as a cached one, so both give the same bytes.

Frozen once released: the first release of a wave freezes its treatment (`freeze`), and every
later release of that wave is cut from the frozen parts (`frozen_treatment`, `combined`), never
from a new treatment of the grown wave, which an analyst could link row for row to the first
and so isolate the late respondents. Late responses join as increments, each treated on its
own (wave_treatment.treat_increment) and frozen in turn. A part keeps beside it the set of
response ids it holds (a sorted list, not linked to its rows) so that the next release knows
which responses are late. Without a cache folder nothing is frozen (tests, benches).
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sync_server.anonymise import TREATMENT_VERSION, RiskReport
from sync_server.anonymise.identifiers import RESPONDENT_ID
from sync_server.releases.refusals import ReleaseRefused
from sync_server.releases.seed import derived_seed

CACHE_METADATA_KEY = b"mss.treatment"


@dataclass(frozen=True)
class Treated:
    frame: pd.DataFrame
    risk: RiskReport
    risk_json: dict[str, Any]
    risk_markdown: str
    treatments: dict[str, str]
    quasi_identifiers: list[str]
    # Countries left out of the treatment for having fewer than k respondents: no release
    # can hold them (country is a stratum the anonymiser never suppresses).
    countries_held_back: dict[str, int]


@dataclass(frozen=True)
class TreatmentKey:
    """What one treatment depends on: the spec, the wave, the input's fingerprint and the
    secret release seed. It names the cached file and seeds the treatment's randomness."""

    spec_id: str
    wave: str
    fingerprint: str
    release_seed: bytes = field(repr=False)

    @property
    def prefix(self) -> str:
        """What every cached treatment of this spec and wave is named with first."""
        return f"{self.spec_id}-{self.wave}-"


def cache_name(key: TreatmentKey) -> str:
    # The treatment's version is in the key: a file treated under older rules is not reused.
    parts = (key.spec_id, key.wave, key.fingerprint, f"v{TREATMENT_VERSION}")
    named = derived_seed(key.release_seed, "treated-cache", *parts).hex()[:24]
    return f"{key.prefix}{named}.parquet"


def treatment_rng(key: TreatmentKey) -> np.random.Generator:
    entropy = derived_seed(key.release_seed, "treatment", key.spec_id, key.wave, key.fingerprint)
    return np.random.default_rng(np.frombuffer(entropy, dtype=np.uint32))


def _to_table(treated: Treated) -> pa.Table:
    table = pa.Table.from_pandas(treated.frame, preserve_index=False)
    sidecar = {
        "risk": treated.risk_json,
        "risk_markdown": treated.risk_markdown,
        "treatments": treated.treatments,
        "quasi_identifiers": treated.quasi_identifiers,
        "countries_held_back": treated.countries_held_back,
    }
    metadata = dict(table.schema.metadata or {})
    metadata[CACHE_METADATA_KEY] = json.dumps(sidecar, ensure_ascii=False).encode("utf-8")
    return table.replace_schema_metadata(metadata)


def _from_table(table: pa.Table, risk: RiskReport | None) -> Treated:
    sidecar = json.loads(table.schema.metadata[CACHE_METADATA_KEY])
    return Treated(
        frame=table.to_pandas(),
        risk=risk if risk is not None else RiskReport.from_json(sidecar["risk"]),
        risk_json=sidecar["risk"],
        risk_markdown=sidecar["risk_markdown"],
        treatments=sidecar["treatments"],
        quasi_identifiers=sidecar["quasi_identifiers"],
        countries_held_back=sidecar["countries_held_back"],
    )


def _round_trip(treated: Treated) -> Treated:
    sink = pa.BufferOutputStream()
    pq.write_table(_to_table(treated), sink)
    return _from_table(pq.read_table(pa.BufferReader(sink.getvalue())), treated.risk)


def treated_file(
    key: TreatmentKey, *, treat: Callable[[], Treated], cache_dir: Path | None
) -> Treated:
    """The cached treatment when there is one for this input, else `treat()` (and cache it)."""
    name = cache_name(key)
    if cache_dir is not None and (cache_dir / name).exists():
        return _from_table(pq.read_table(cache_dir / name), None)
    fresh = _round_trip(treat())
    if cache_dir is not None:
        _store(cache_dir, name, fresh, prefix=key.prefix)
    return fresh


def is_cached(cache_dir: Path | None, key: TreatmentKey) -> bool:
    return cache_dir is not None and (cache_dir / cache_name(key)).exists()


def _store(cache_dir: Path, name: str, treated: Treated, *, prefix: str) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".part-", suffix=".parquet")
    os.close(descriptor)
    try:
        pq.write_table(_to_table(treated), temporary)
        os.replace(temporary, cache_dir / name)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    # Older treatments of the same spec and wave are superseded by this one.
    for stale in cache_dir.glob(f"{prefix}*.parquet"):
        if stale.name != name and stale.name[len(prefix) :].count("-") == 0:
            stale.unlink(missing_ok=True)


# --- frozen once released -------------------------------------------------------------------


@dataclass(frozen=True)
class Frozen:
    """A wave's released treatment: the first part, then each released increment."""

    parts: list[Treated]
    members: pa.Array  # the response ids the parts hold, sorted (no row is linked to one)


def _ledger(cache_dir: Path, key: TreatmentKey) -> Path:
    return cache_dir / f"{key.prefix}frozen.json"


@contextmanager
def wave_lock(cache_dir: Path | None, key: TreatmentKey) -> Iterator[None]:
    """One release of a spec and wave at a time (API workers and the command line), so that
    two cannot freeze different increments of the same late responses."""
    if cache_dir is None:
        yield
        return
    import fcntl

    cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(cache_dir / f"{key.prefix}frozen.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def frozen_treatment(cache_dir: Path | None, key: TreatmentKey) -> Frozen | None:
    """The wave's frozen parts, or None before its first release. A part whose file is gone
    refuses the release: treating the wave again would undo the freeze."""
    if cache_dir is None or not _ledger(cache_dir, key).exists():
        return None
    ledger = json.loads(_ledger(cache_dir, key).read_text(encoding="utf-8"))
    parts: list[Treated] = []
    members: list[pa.Array] = []
    for entry in ledger["parts"]:
        data, ids = cache_dir / entry["file"], cache_dir / entry["members"]
        if not data.exists() or not ids.exists():
            raise ReleaseRefused(
                "treatment-lost",
                f"wave {key.wave} of {key.spec_id} was released from a treatment whose file "
                f"{entry['file']} is gone from {cache_dir}: restore it from a backup (a new "
                "treatment could be linked row for row to the released one)",
            )
        parts.append(_from_table(pq.read_table(data), None))
        members.append(pq.read_table(ids)["response_id"].combine_chunks())
    every = pa.concat_arrays(members) if members else pa.array([], pa.string())
    return Frozen(parts, every.sort())


def freeze(
    cache_dir: Path,
    key: TreatmentKey,
    part: Treated,
    members: pa.Array,
    *,
    cached: Path | None = None,
) -> None:
    """Append `part`, holding the responses `members`, to the wave's frozen treatment.
    `cached`: the file `part` was read from or cached as, linked instead of written again."""
    cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    ledger_path = _ledger(cache_dir, key)
    ledger = (
        json.loads(ledger_path.read_text(encoding="utf-8"))
        if ledger_path.exists()
        else {"spec": key.spec_id, "wave": key.wave, "parts": []}
    )
    number = len(ledger["parts"]) + 1
    named = derived_seed(key.release_seed, "frozen", key.spec_id, key.wave, str(number))
    # Dashes after the prefix: _store's clean-up of superseded treatments never takes these.
    stem = f"{key.prefix}frozen-{number}-{named.hex()[:16]}"
    ids = pa.table({"response_id": pa.array(members, pa.string()).sort()})
    if cached is not None and cached.exists():
        (cache_dir / f"{stem}.parquet").unlink(missing_ok=True)
        os.link(cached, cache_dir / f"{stem}.parquet")
    else:
        _write_atomically(cache_dir, f"{stem}.parquet", _to_table(part))
    _write_atomically(cache_dir, f"{stem}-members.parquet", ids)
    ledger["parts"].append(
        {
            "file": f"{stem}.parquet",
            "members": f"{stem}-members.parquet",
            "rows": len(part.frame),
            "treatment_version": TREATMENT_VERSION,
        }
    )
    descriptor, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".part-", suffix=".json")
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump(ledger, handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, ledger_path)


def _write_atomically(cache_dir: Path, name: str, table: pa.Table) -> None:
    descriptor, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".part-", suffix=".parquet")
    os.close(descriptor)
    try:
        pq.write_table(table, temporary)
        os.replace(temporary, cache_dir / name)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


def combined(parts: list[Treated], countries_held_back: dict[str, int]) -> Treated:
    """The parts as one treated file: the first part's rows, then each increment's, every
    column in the first part's type. The report and treatment notes are the first part's."""
    first = parts[0]
    if len(parts) == 1 and countries_held_back == first.countries_held_back:
        return first
    base = _to_table(first)
    schema = base.schema  # with pandas' metadata: Int64 columns come back as Int64
    tables = [base]
    for part in parts[1:]:
        table = _to_table(part)
        columns = [
            table[field.name].cast(field.type)
            if field.name in table.column_names
            else pa.nulls(table.num_rows, field.type)
            for field in schema
        ]
        tables.append(pa.Table.from_arrays(columns, schema=schema))
    frame = pa.concat_tables(tables).to_pandas()
    if RESPONDENT_ID in frame and frame[RESPONDENT_ID].duplicated().any():
        raise ValueError("two parts of the frozen treatment drew the same respondent id")
    return dataclasses.replace(first, frame=frame, countries_held_back=countries_held_back)
