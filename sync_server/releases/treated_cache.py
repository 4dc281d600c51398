"""The one treated file per (spec, wave): all countries treated together, country a
quasi-identifier. National and pooled releases are cut from it, so a respondent carries the
same values (and the same respondent id) in both.

It is cached as Parquet beside the releases, named by the spec, the wave and a key derived
from the release seed and the input's fingerprint: new responses give a new key, so the
treatment is redone; the name reveals neither the seed nor the data. A freshly treated frame
goes through the same Parquet round trip as a cached one, so both give the same bytes.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sync_server.anonymise import TREATMENT_VERSION, RiskReport
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
