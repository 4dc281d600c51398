"""Build one release: read the store, treat (or reuse the treated file), cut the scope, write
the data file, the codebook and the risk report into a fresh directory.

Every refusal happens before anything is written; the files are written into a temporary
directory beside `out_dir` and renamed into place at the end, so a failed release leaves
nothing behind. The files carry no build time, so the same data and the same release seed
give byte-identical files.

Free text: national files carry a scrubbed comment only once an administrator has cleared
it in the review queue (comment_reviews.py; each release queues the texts it would carry);
pooled files withhold free text.

One treatment per wave, frozen by its first release (treated_cache.py): a later release of
the wave reuses it, and responses that arrived since join only as an increment treated on
its own; late responses of a country with fewer than k of them are held back (and named in
the risk report) until more arrive.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from sqlalchemy.orm import Session, sessionmaker

from questionnaire_specs import Disclosure, Spec
from questionnaire_specs.question_types import kind_of
from sync_server.anonymise import RiskReport
from sync_server.releases import codebook as books
from sync_server.releases.comment_reviews import (
    cleared_digests,
    free_text_questions,
    only_cleared,
    queue_comments,
)
from sync_server.releases.formats import NAMES, WRITERS, XLSX_MAX_ROWS
from sync_server.releases.frame import StoreResponses, read_frame, read_responses
from sync_server.releases.refusals import ReleaseRefused
from sync_server.releases.release_risk import check_k, release_risk_json, release_risk_markdown
from sync_server.releases.treated_cache import (
    Treated,
    TreatmentKey,
    cache_name,
    combined,
    freeze,
    frozen_treatment,
    is_cached,
    treated_file,
    treatment_rng,
    wave_lock,
)
from sync_server.settings import utc_now

SCOPES = ("national", "pooled")
# (phase, done, total): phases are "reading", "treating", "writing"; total 0 when unknown.
Progress = Callable[[str, int, int], None]
POOLED_FREE_TEXT = "withheld: pooled releases carry no free text"


@dataclass(frozen=True)
class ReleaseOrder:
    """One release asked for: which records, in which formats and language, written where."""

    scope: str  # national | pooled
    country: str | None  # a national release's country; None for pooled
    spec_id: str
    wave: str | None  # None: the latest wave
    fmt: str  # one of formats.NAMES, or "all"
    lang: str  # the language of the labels in the files
    out_dir: Path  # absent or empty


@dataclass(frozen=True)
class WaveCut:
    """What a release is cut from: the wave's treatment, what freezing it takes (None when
    nothing new is to be frozen), and the late responses held back, by country."""

    treated: Treated
    freeze: Callable[[], None] | None
    late_held_back: dict[str, int]
    increments: int  # released increments of late responses, this one included


@dataclass(frozen=True)
class ReleaseFiles:
    """What one release writes: its data in each format, its codebook and its risk report."""

    stem: str  # the data files' name before the format's extension
    formats: list[str]
    data: pd.DataFrame
    variables: list[books.Variable]
    lang: str
    codebook: dict[str, Any]
    risk_json: dict[str, Any]
    risk_markdown: str


@dataclass(frozen=True)
class ReleaseResult:
    out_dir: Path
    files: list[Path]
    rows: int
    risk: RiskReport  # the anonymiser's report on the treated file (all countries)
    wave: str = ""
    risk_json: dict[str, Any] = field(default_factory=dict)


def _check_order(order: ReleaseOrder) -> list[str]:
    scope, country, fmt, out_dir = order.scope, order.country, order.fmt, order.out_dir
    if scope not in SCOPES:
        raise ReleaseRefused("unknown-scope", f"--scope must be national or pooled, not {scope!r}")
    if scope == "national" and not country:
        raise ReleaseRefused("missing-country", "a national release names its --country")
    if scope == "pooled" and country:
        raise ReleaseRefused("country-in-pooled", "a pooled release holds every country")
    formats = list(NAMES) if fmt == "all" else [fmt]
    if fmt != "all" and fmt not in NAMES:
        raise ReleaseRefused(
            "unknown-format", f"unknown format {fmt!r}: use {', '.join(NAMES)} or all"
        )
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise ReleaseRefused("out-dir-not-empty", f"{out_dir} exists and is not an empty directory")
    return formats


def _scope_count(responses: StoreResponses, scope: str, country: str | None) -> int:
    if scope == "pooled":
        return responses.count
    return int(pc.sum(pc.equal(responses.table["country"], country)).as_py() or 0)


def build_release(
    session_factory: sessionmaker[Session],
    order: ReleaseOrder,
    *,
    release_seed: bytes,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> ReleaseResult:
    """Build a release into `order.out_dir` (absent or empty). ReleaseRefused, with nothing
    written, for a bad order or one that would put fewer than k respondents in a file.

    `cache_dir` keeps the treated file per (spec, wave) for the next release to reuse."""
    scope, country, lang = order.scope, order.country, order.lang
    formats = _check_order(order)
    report = progress or (lambda _phase, _done, _total: None)
    report("reading", 0, 0)
    responses = read_responses(session_factory, order.spec_id, order.wave)
    spec = responses.spec
    if lang not in spec.language_codes:
        raise ReleaseRefused(
            "unknown-language",
            f"spec {spec.id} has no language {lang!r} (it has {', '.join(spec.language_codes)})",
        )
    k = spec.settings.k_anonymity
    if scope == "national" and country not in responses.countries():
        known = ", ".join(responses.countries()) or "none"
        raise ReleaseRefused(
            "unknown-country",
            f"no response to {spec.id} in wave {responses.wave} comes from {country!r} "
            f"(countries with responses: {known})",
        )
    if responses.count < k or _scope_count(responses, scope, country) < k:
        raise ReleaseRefused(
            "fewer-than-k",
            f"the release would hold {_scope_count(responses, scope, country)} respondents, "
            f"fewer than k={k}: it could identify them",
        )
    key = TreatmentKey(spec.id, responses.wave, responses.fingerprint, release_seed)
    with wave_lock(cache_dir, key):
        return _build(session_factory, order, formats, responses, key, cache_dir, report, clock)


def _build(
    session_factory: sessionmaker[Session],
    order: ReleaseOrder,
    formats: list[str],
    responses: StoreResponses,
    key: TreatmentKey,
    cache_dir: Path | None,
    report: Progress,
    clock: Callable[[], datetime],
) -> ReleaseResult:
    scope, country, lang, spec = order.scope, order.country, order.lang, responses.spec
    k = spec.settings.k_anonymity
    cut = _treated(session_factory, responses, key, cache_dir, report)
    treated = cut.treated
    frame = _cut(treated, scope, country)
    if len(frame) < k:
        raise ReleaseRefused(
            "fewer-than-k",
            f"after treatment the release would hold {len(frame)} respondents, fewer than k={k}",
        )
    smallest = check_k(frame, treated.quasi_identifiers, k)
    treatments = _treatments(spec, treated, scope)
    if scope == "pooled":
        frame = frame.drop(columns=free_text_questions(spec, frame.columns))
    else:
        frame = _reviewed(session_factory, spec, responses.wave, country, frame, treatments, clock)
    variables = books.variables_for(
        spec, list(frame.columns), treatments, levels=treated.risk.recodings
    )
    data = _analysis_frame(spec, frame)
    if "xlsx" in formats and len(data) > XLSX_MAX_ROWS:
        *others, last = (name for name in NAMES if name != "xlsx")
        raise ReleaseRefused(
            "too-many-rows-for-xlsx",
            f"{len(data)} rows do not fit an Excel sheet: choose {', '.join(others)} or {last}",
        )
    release = {
        "scope": scope,
        "country": country if scope == "national" else None,
        "wave": responses.wave,
        "spec_versions": list(responses.versions),
        "rows": len(data),
        "formats": formats,
        "labels_language": lang,
    }
    codebook = books.codebook_json(
        spec, variables, release=release, quasi_identifiers=treated.quasi_identifiers
    )
    risk_json = release_risk_json(
        treated.risk_json, release, k, smallest, treated.countries_held_back
    )
    stem = "-".join(
        [spec.id, scope, *([country] if scope == "national" and country else []), responses.wave]
    )
    risk_json["release"]["late_responses_held_back"] = cut.late_held_back
    risk_json["release"]["increments"] = cut.increments
    markdown = release_risk_markdown(treated.risk_markdown, risk_json)
    markdown = _late_markdown(markdown, cut, k)
    content = ReleaseFiles(stem, formats, data, variables, lang, codebook, risk_json, markdown)
    if cut.freeze is not None:
        # Frozen before anything is written: a treatment frozen but never released costs
        # nothing, a release whose treatment was not frozen could be re-treated and linked.
        cut.freeze()
    out_dir = Path(order.out_dir)
    files = _write(out_dir, content, report)
    return ReleaseResult(out_dir, files, len(data), treated.risk, responses.wave, risk_json)


def _treated(
    session_factory: sessionmaker[Session],
    responses: StoreResponses,
    key: TreatmentKey,
    cache_dir: Path | None,
    report: Progress,
) -> WaveCut:
    spec = responses.spec
    k = spec.settings.k_anonymity
    ids = responses.table["response_id"].combine_chunks()
    frozen = frozen_treatment(cache_dir, key)
    if frozen is None:
        treated = _first_treatment(session_factory, responses, key, cache_dir, report)
        held = list(treated.countries_held_back)
        members = ids.filter(
            pc.invert(pc.is_in(responses.table["country"], pa.array(held, pa.string())))
        )
        cached = cache_dir / cache_name(key) if cache_dir is not None else None
        return WaveCut(treated, _freezing(cache_dir, key, treated, members, cached), {}, 0)
    late = pc.invert(pc.is_in(ids, value_set=frozen.members))
    countries = responses.table["country"].combine_chunks().filter(late)
    counts = pc.value_counts(countries).to_pylist()
    by_country = {str(item["values"]): int(item["counts"]) for item in counts}
    released = {c for part in frozen.parts for c in part.frame["country"].unique()}
    # A country with no released respondent yet is held back as the first treatment did it.
    held_back = {c: n for c, n in by_country.items() if n < k and c not in released}
    late_held = {c: n for c, n in by_country.items() if n < k and c in released}
    taken = [c for c, n in by_country.items() if n >= k]
    report("reading", responses.count, responses.count)
    if not taken:
        return WaveCut(combined(frozen.parts, held_back), None, late_held, len(frozen.parts) - 1)
    new_ids = ids.filter(late).filter(pc.is_in(countries, pa.array(taken, pa.string())))
    store = read_frame(
        session_factory, responses, progress=lambda done, _t: report("reading", done, 0)
    )
    frame = store.frame[store.frame["response_id"].isin(new_ids.to_pylist())]
    report("treating", 0, 0)
    digest = hashlib.sha256("\n".join(sorted(new_ids.to_pylist())).encode()).hexdigest()
    number = len(frozen.parts)
    increment_key = TreatmentKey(
        key.spec_id, key.wave, f"increment-{number}-{digest}", key.release_seed
    )
    from sync_server.releases.wave_treatment import treat_increment

    part = treat_increment(
        frame.reset_index(drop=True), spec, treatment_rng(increment_key), frozen.parts[0]
    )
    report("treating", 1, 1)
    whole = combined([*frozen.parts, part], held_back)
    return WaveCut(whole, _freezing(cache_dir, key, part, new_ids), late_held, number)


def _freezing(
    cache_dir: Path | None,
    key: TreatmentKey,
    part: Treated,
    members: pa.Array,
    cached: Path | None = None,
) -> Callable[[], None] | None:
    if cache_dir is None:
        return None
    return lambda: freeze(cache_dir, key, part, members, cached=cached)


def _first_treatment(
    session_factory: sessionmaker[Session],
    responses: StoreResponses,
    key: TreatmentKey,
    cache_dir: Path | None,
    report: Progress,
) -> Treated:
    spec = responses.spec
    if is_cached(cache_dir, key):
        report("reading", responses.count, responses.count)

    def treat() -> Treated:
        store = read_frame(
            session_factory, responses, progress=lambda done, _t: report("reading", done, 0)
        )
        report("treating", 0, 0)
        from sync_server.releases.wave_treatment import treat_frame

        treated = treat_frame(store.frame, spec, treatment_rng(key))
        report("treating", 1, 1)
        return treated

    return treated_file(key, treat=treat, cache_dir=cache_dir)


def _late_markdown(markdown: str, cut: WaveCut, k: int) -> str:
    """The frozen treatment and its increments, said in the release's risk report."""
    lines = []
    if cut.increments:
        lines.append(
            f"- late responses: this wave's treatment is frozen by its first release; "
            f"{cut.increments} increment(s) of late responses were added, each treated on "
            f"its own to k={k} (the rows a later release adds are not a group below k)"
        )
    if cut.late_held_back:
        named = ", ".join(f"{c} ({n})" for c, n in sorted(cut.late_held_back.items()))
        lines.append(
            f"- late responses held back until at least k={k} have arrived in their country: "
            f"{named}"
        )
    if not lines:
        return markdown
    head, _, rest = markdown.partition("\n## ")
    return head.rstrip("\n") + "\n" + "\n".join(lines) + "\n\n## " + rest


def _cut(treated: Treated, scope: str, country: str | None) -> pd.DataFrame:
    frame = treated.frame
    if scope == "pooled":
        return frame.reset_index(drop=True)
    # Row order and values are the treated file's: the national file is a plain subset.
    return frame[frame["country"] == country].reset_index(drop=True)


def _reviewed(
    session_factory: sessionmaker[Session],
    spec: Spec,
    wave: str,
    country: str | None,
    frame: pd.DataFrame,
    treatments: dict[str, str],
    clock: Callable[[], datetime],
) -> pd.DataFrame:
    """A national cut's free text: its texts queued for review, only the cleared ones kept."""
    assert country is not None
    queue_comments(session_factory, spec, wave, frame, clock=clock)
    cleared = cleared_digests(session_factory, spec.id, wave, country)
    frame = frame.copy()
    for question in free_text_questions(spec, frame.columns):
        frame[question], kept, withheld = only_cleared(
            frame[question], cleared.get(question, frozenset())
        )
        treatments[question] = (
            f"{treatments.get(question, 'free text')}; only comments an administrator cleared "
            f"in the review queue are released ({kept} kept, {withheld} withheld or pending)"
        )
    return frame


def treatment_for_review(
    session_factory: sessionmaker[Session],
    spec_id: str,
    wave: str | None,
    *,
    release_seed: bytes,
    cache_dir: Path | None,
) -> tuple[Spec, str, pd.DataFrame]:
    """The treated file a release of the wave would be cut from (nothing is frozen), for
    the review queue to read its scrubbed comments: (spec, wave, frame)."""
    responses = read_responses(session_factory, spec_id, wave)
    key = TreatmentKey(responses.spec.id, responses.wave, responses.fingerprint, release_seed)
    with wave_lock(cache_dir, key):
        cut = _treated(session_factory, responses, key, cache_dir, lambda *_: None)
    return responses.spec, responses.wave, cut.treated.frame


def _treatments(spec: Spec, treated: Treated, scope: str) -> dict[str, str]:
    treatments = dict(treated.treatments)
    if scope == "pooled":
        for question in spec.questions:
            if question.disclosure is Disclosure.FREE_TEXT:
                treatments[question.id] = POOLED_FREE_TEXT
    return treatments


def _analysis_frame(spec: Spec, frame: pd.DataFrame) -> pd.DataFrame:
    """The release's columns: a multi_choice answer becomes one 0/1 column per option, a rank
    answer one column per option holding its position (1 for the first ranked)."""
    columns: dict[str, Any] = {}
    for name in frame.columns:
        question = next((q for q in spec.questions if q.id == name), None)
        release = kind_of(question).release(question) if question is not None else None
        if question is None or release not in ("codes", "ranks"):
            columns[name] = frame[name]
            continue
        chosen = frame[name].map(_codes_of, na_action="ignore")
        cell = _position_of if release == "ranks" else _selected_in
        for option in spec.options_for(question):
            values = chosen.map(partial(cell, option.code), na_action="ignore")
            columns[books.option_column(name, option.code)] = values.astype("Int64")
    return pd.DataFrame(columns, index=frame.index)


def _selected_in(code: object, codes: list[object]) -> int:
    return int(code in codes)


def _position_of(code: object, codes: list[object]) -> int | None:
    """An option's rank position, 1 first; None when it was not ranked (a `positions` rank)."""
    return codes.index(code) + 1 if code in codes else None


def _codes_of(value: object) -> list[object]:
    """The codes of a multi_choice or rank cell ("1;3", or a list), in their order, as int
    where possible."""
    parts = value.split(";") if isinstance(value, str) else list(value)  # type: ignore[call-overload]
    return [int(p) if isinstance(p, str) and p.lstrip("-").isdigit() else p for p in parts]


def _write(out_dir: Path, content: ReleaseFiles, report: Progress) -> list[Path]:
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=f".{out_dir.name}.part-"))
    try:
        names = []
        total = len(content.formats) + 2
        for done, fmt in enumerate(content.formats):
            report("writing", done, total)
            name = f"{content.stem}.{fmt}"
            WRITERS[fmt](content.data, content.variables, content.lang, staging / name)
            names.append(name)
        (staging / "codebook.json").write_bytes(books.dumps(content.codebook))
        (staging / "codebook.md").write_text(
            books.codebook_markdown(content.codebook, content.lang), encoding="utf-8", newline="\n"
        )
        (staging / "risk-report.json").write_bytes(books.dumps(content.risk_json))
        (staging / "risk-report.md").write_text(
            content.risk_markdown, encoding="utf-8", newline="\n"
        )
        names += ["codebook.json", "codebook.md", "risk-report.json", "risk-report.md"]
        staging.chmod(0o750)
        if out_dir.exists():
            out_dir.rmdir()  # empty (checked before): replaced by the finished release
        os.replace(staging, out_dir)
        report("writing", total, total)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [out_dir / name for name in names]
