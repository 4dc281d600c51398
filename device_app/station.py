"""The station's services in one facade: what the kiosk and the `mss station` commands call.

One store connection serves the whole station; the store serialises its calls under its own
lock (one short transaction each), so the kiosk may run `sync()` in a thread while
respondents keep finishing: no lock is ever held across a network request.
"""

from __future__ import annotations

import json
import math
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from random import Random, SystemRandom
from typing import Any

import httpx

from crypto import DraftKey, OperatorPublicKey, StationKey, SurveyPublicKey, seal, verify_pin
from device_app import pin as pin_rule
from device_app.batching import Batcher, BatchLimits
from device_app.beacon import beacon_body
from device_app.errors import (
    PinLocked,
    PinNotSet,
    ServerRefused,
    StationError,
    StationNotReady,
    UnknownLanguage,
    UnknownPopulation,
    WrongPassphrase,
)
from device_app.finishing import Seal, Sealing, append_response, sealed_response
from device_app.key_rotation import KeyTrust, judge_announcement
from device_app.session import FinishedResponse, SurveySession
from device_app.store import ConfigKey, StationStore
from device_app.store import errors as store_errors
from device_app.sync import Backoff, ServerLink, SyncReport, send_outbox
from device_app.usb import ExportReport, export_outbox
from protocol import BeaconAnswer, SpecIdentityWire
from questionnaire_specs import Spec, SpecIdentity, load_spec_body

PIN_ATTEMPTS_KEY = "pin_attempts"
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


# No station of this software ran before this day: a clock that says earlier is wrong.
EARLIEST_PLAUSIBLE_CLOCK = date(2026, 1, 1)


@dataclass(frozen=True)
class StationStatus:
    station_id: str
    pending: int
    acknowledged: int
    conflict: int
    rejected: int
    last_sync: datetime | None
    last_sync_ok: bool | None
    last_seq: int
    spec_versions: dict[str, str]  # spec id -> version
    server_url: str
    country: str
    region: str
    problems: list[str] = field(default_factory=list)  # "seq N envelope <id>: state (code)"
    # Respondents cut off before finishing (a crash, a power cut), counted when the kiosk
    # next started, plus drafts another run left that are still in the store.
    interrupted_drafts: int = 0
    # What the tablet's clock says, when it cannot be right (a flat clock battery): the
    # coordinator is told to set it. Responses are sealed all the same.
    wrong_clock: date | None = None
    # The id of the survey key the next response is sealed to (it changes when the server
    # announces a new wave's key).
    survey_key_id: str = ""
    # Why it kept that key against the latest announcement (a KeyRefusal code), if it did.
    survey_key_refused: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "survey_key_id": self.survey_key_id,
            "survey_key_refused": self.survey_key_refused,
            "interrupted_drafts": self.interrupted_drafts,
            "wrong_clock": self.wrong_clock.isoformat() if self.wrong_clock else None,
            "station_id": self.station_id,
            "pending": self.pending,
            "acknowledged": self.acknowledged,
            "conflict": self.conflict,
            "rejected": self.rejected,
            "last_sync": self.last_sync.isoformat() if self.last_sync else None,
            "last_sync_ok": self.last_sync_ok,
            "last_seq": self.last_seq,
            "spec_versions": self.spec_versions,
            "server_url": self.server_url,
            "country": self.country,
            "region": self.region,
            "problems": self.problems,
        }


def open_store(station_dir: Path, passphrase: str) -> StationStore:
    """Unlock the store. Its errors are the station's own (one catalogue); only a malformed
    passphrase (e.g. empty) is reported as the wrong passphrase it is to a coordinator."""
    try:
        return StationStore.unlock(Path(station_dir), passphrase)
    except store_errors.InvalidValue:
        raise WrongPassphrase() from None


class Station:
    """An unlocked station. Build it with `Station.unlock` (or `provisioning.provision`)."""

    def __init__(
        self,
        store: StationStore,
        *,
        clock: Clock = utc_now,
        http_transport: httpx.BaseTransport | None = None,
        random: Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
        limits: BatchLimits | None = None,
        seal_with: Seal = seal,
    ) -> None:
        self._lock = threading.RLock()
        self._store = store
        self._clock = clock
        self._transport = http_transport
        self._random = random or SystemRandom()
        self._sleep = sleep
        self._limits = limits or BatchLimits()
        self._seal_with = seal_with
        self._drafts: dict[int, tuple[SurveySession, str]] = {}
        # Drafts are sealed under a key that exists only in this run's memory: once the run
        # ends, no one (the coordinator's passphrase included) reads a draft back from the
        # database, its WAL or its free pages.
        self._draft_key = DraftKey.generate()
        self._sync_lock = threading.Lock()  # one sync at a time
        self._load()

    @classmethod
    def unlock(
        cls,
        station_dir: Path,
        passphrase: str,
        *,
        clock: Clock = utc_now,
        http_transport: httpx.BaseTransport | None = None,
        random: Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
        limits: BatchLimits | None = None,
    ) -> Station:
        store = open_store(station_dir, passphrase)
        try:
            return cls(
                store, clock=clock, http_transport=http_transport, random=random, sleep=sleep,
                limits=limits,
            )  # fmt: skip
        except BaseException:
            store.close()
            raise

    # --- identity and specs ----------------------------------------------------------------

    def _config(self, key: str) -> Any:
        value = self._store.get_config(key)
        if value is None:
            raise StationNotReady(f"the station has no {key}: provision it again")
        return value

    def _load(self) -> None:
        self.station_id: str = self._config(ConfigKey.STATION_ID)
        self.country: str = self._config(ConfigKey.COUNTRY)
        self.region: str = self._config(ConfigKey.REGION)
        self.populations: list[str] = list(self._config(ConfigKey.POPULATIONS))
        self.server_url: str = self._config(ConfigKey.SERVER_URL)
        self._key = StationKey.from_private_bytes(self._config(ConfigKey.SIGNING_KEY))
        self._survey_key = SurveyPublicKey.from_text(self._config(ConfigKey.SURVEY_PUBLIC_KEY))
        active = {tuple(item) for item in self._config(ConfigKey.ACTIVE_SPECS)}
        self._specs: list[Spec] = []
        for stored in self._store.specs():
            if (stored.spec_id, stored.version, stored.sha256) in active:
                self._specs.append(load_spec_body(stored.canonical_json))
        if not self._specs:
            raise StationNotReady("the station holds no questionnaire spec: provision it again")
        languages: list[str] = []
        for spec in self._specs:
            for language in spec.languages:
                if language.code not in languages:
                    languages.append(language.code)
        self.languages = languages

    def specs(self) -> list[Spec]:
        return list(self._specs)

    def spec_for(self, population: str) -> Spec:
        if population not in self.populations:
            raise UnknownPopulation(
                f"this station surveys {', '.join(self.populations)}, not {population!r}"
            )
        for spec in self._specs:
            if population in [p.id for p in spec.populations]:
                return spec
        raise UnknownPopulation(f"no questionnaire on this station is for {population!r}")

    def spec_identities(self) -> list[SpecIdentityWire]:
        return [wire_identity(spec) for spec in self._specs]

    # --- respondents -----------------------------------------------------------------------

    def new_session(self, population: str, language: str) -> SurveySession:
        spec = self.spec_for(population)
        codes = [language_.code for language_ in spec.languages]
        if language not in codes:
            raise UnknownLanguage(f"the questionnaire is in {', '.join(codes)}, not {language!r}")
        return SurveySession(spec, language, population, clock=self._clock)

    def _draft_id(self, session: SurveySession) -> str | None:
        held = self._drafts.get(id(session))
        return held[1] if held and held[0] is session else None

    def save_draft(self, session: SurveySession) -> None:
        """Keep the in-progress answers in the store, sealed under this run's draft key (so
        a failed finish leaves them in the store, and the status can count an interrupted
        respondent after a crash, but nothing can read them once this run ends)."""
        draft_id = self._draft_id(session)
        if draft_id is None:
            draft_id = uuid.UUID(int=self._random.getrandbits(128), version=4).hex
            self._drafts[id(session)] = (session, draft_id)
        snapshot = json.dumps(session.snapshot()).encode("utf-8")
        self._store.save_draft(draft_id, self._draft_key.seal(snapshot, context=draft_id.encode()))

    def _left_behind(self) -> list[str]:
        """Draft ids in the store that this run did not write."""
        mine = {draft_id for _session, draft_id in self._drafts.values()}
        return [draft_id for draft_id in self._store.drafts() if draft_id not in mine]

    def abandon_interrupted_drafts(self) -> int:
        """Delete the drafts an earlier run left (it crashed or lost power mid-respondent:
        no key can open them now) and count them in the status; how many. The kiosk calls
        it when it starts, as the one process that writes drafts."""
        left = self._left_behind()
        for draft_id in left:
            self._store.delete_draft(draft_id)
        if left:
            before = int(self._store.get_config(ConfigKey.INTERRUPTED_DRAFTS, 0) or 0)
            self._store.set_config(ConfigKey.INTERRUPTED_DRAFTS, before + len(left))
        return len(left)

    def finish(self, session: SurveySession) -> int:
        """Seal the finished response into the outbox and drop its draft; the outbox seq.

        The latest answers are saved as the draft first, so if sealing fails (nothing is
        appended) they stay in the store, sealed under this run's draft key, and in the
        session: finishing can be tried again in this run.
        """
        if not session.at_end:
            session.finish()  # raises SessionNotFinished, before anything is written
        self.save_draft(session)
        return self._append(session, session.finish())

    def abandon(self, session: SurveySession) -> int | None:
        """Discard the session, or seal it as partial when the spec says so."""
        spec = self.spec_for(session.population)
        if spec.settings.abandon == "partial" and session.answers:
            self.save_draft(session)
            partial = session.abandon()
            if partial is not None:
                return self._append(session, partial)
        else:
            session.abandon()
        draft_id = self._draft_id(session)
        if draft_id is not None:
            self._store.delete_draft(draft_id)
        self._drafts.pop(id(session), None)
        return None

    def _append(self, session: SurveySession, finished: FinishedResponse) -> int:
        entry = append_response(
            self._store,
            session.spec,
            sealed_response(finished, country=self.country, region=self.region),
            Sealing(self._survey_key, self.station_id, self._seal_with),
            draft_id=self._draft_id(session),
            new_id=self._new_id,
        )
        self._drafts.pop(id(session), None)
        return entry.seq

    def _new_id(self) -> str:
        return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def _batcher(self) -> Batcher:
        return Batcher(
            store=self._store,
            station_id=self.station_id,
            sign=self._key.sign,
            clock=self._clock,
            new_id=self._new_id,
            limits=self._limits,
        )

    # --- the coordinator -------------------------------------------------------------------

    def status(self) -> StationStatus:
        today = self._clock().date()
        counts = self._store.counts()
        last = self._store.last_sync()
        problems = [
            f"seq {entry.seq} envelope {entry.envelope_id}: {entry.state} ({entry.code})"
            for entry in self._store.entries(states=["conflict", "rejected"])
        ]
        return StationStatus(
            station_id=self.station_id,
            pending=counts.pending,
            acknowledged=counts.acknowledged,
            conflict=counts.conflict,
            rejected=counts.rejected,
            last_sync=last.last_attempt,
            last_sync_ok=last.last_ok,
            last_seq=counts.last_seq,
            spec_versions={spec.id: spec.version for spec in self._specs},
            server_url=self.server_url,
            country=self.country,
            region=self.region,
            problems=problems,
            interrupted_drafts=int(self._store.get_config(ConfigKey.INTERRUPTED_DRAFTS, 0) or 0)
            + len(self._left_behind()),
            wrong_clock=today if today < EARLIEST_PLAUSIBLE_CLOCK else None,
            survey_key_id=self._survey_key.key_id(),
            survey_key_refused=self._store.get_config(ConfigKey.SURVEY_KEY_REFUSED),
        )

    def sync(
        self,
        *,
        progress: Callable[[int, int], None] | None = None,
        max_attempts: int = 5,
        server_url: str | None = None,
    ) -> SyncReport:
        """Send the outbox and a beacon; blocking (the kiosk calls it from a thread)."""
        url = server_url or self.server_url
        report = SyncReport(server_url=url)
        with self._sync_lock:
            try:
                with ServerLink(
                    url,
                    transport=self._transport,
                    backoff=Backoff(attempts=max_attempts),
                    sleep=self._sleep,
                    random=self._random,
                ) as link:
                    send_outbox(self._batcher(), link, report, progress=progress)
                    self._send_beacon(link, report)
            except StationError as error:
                self._store.record_sync(self._clock(), False, f"{error.code}: {error}"[:500])
                raise
            report.pending_after = self._store.counts().pending
            self._store.record_sync(self._clock(), True, sync_summary(report))
        return report

    def _send_beacon(self, link: ServerLink, report: SyncReport) -> None:
        counts = self._store.counts()
        body = beacon_body(
            station_id=self.station_id,
            sent_at=self._clock(),
            specs=self.spec_identities(),
            outbox_depth=counts.pending,
            last_seq=counts.last_seq,
            sign=self._key.sign,
            survey_key_refused=self._store.get_config(ConfigKey.SURVEY_KEY_REFUSED),
        )
        try:
            answer = link.post("/v1/beacons", body, headers={"Content-Type": "application/json"})
        except ServerRefused as error:
            # The batches went through; a refused beacon is shown, not fatal…
            report.beacon_problem = str(error)
            if error.problem_code in ("station-revoked", "unknown-station"):
                raise  # …unless it says the station may no longer send at all.
            return
        report.beacon_sent = True
        self._take_announced_key(answer, report)

    def _take_announced_key(self, answer: httpx.Response, report: SyncReport) -> None:
        """Switch to the survey key the beacon answer announces, if the rule allows: the
        next response is sealed to it; those already sealed keep theirs. A refusal keeps
        the key and its code (shown in the status, reported by the next beacons)."""
        document = None
        try:
            document = answer.json()
            said = BeaconAnswer.model_validate(document)
        except ValueError:  # not an answer at all, or one announcing a malformed key
            if isinstance(document, dict) and {"survey_key", "survey_public_key"} & set(document):
                report.survey_key_refused = "survey-key-unusable: the announcement is malformed"
                self._store.set_config(ConfigKey.SURVEY_KEY_REFUSED, "survey-key-unusable")
            return
        judged = judge_announcement(
            said.survey_public_key, said.survey_key, trust=self._key_trust(),
            sent_to=report.server_url,
        )  # fmt: skip
        report.survey_key_refused = judged.refused
        self._store.set_config(ConfigKey.SURVEY_KEY_REFUSED, judged.code)
        if judged.key is not None and judged.record is not None:
            self._store.set_config(ConfigKey.SURVEY_PUBLIC_KEY, judged.key.to_text())
            self._store.set_config(ConfigKey.SURVEY_KEY_NOT_BEFORE, judged.record.created)
            self._survey_key = judged.key
            report.survey_key_switched_to = judged.key.key_id()

    def _key_trust(self) -> KeyTrust:
        operator = self._store.get_config(ConfigKey.OPERATOR_PUBLIC_KEY)
        return KeyTrust(
            current=self._survey_key,
            enrolled_url=self.server_url,
            operator=None if operator is None else OperatorPublicKey.from_text(str(operator)),
            country=self.country,
            # A station enrolled before the rule kept no time: its operator key is unset too.
            not_before=str(self._store.get_config(ConfigKey.SURVEY_KEY_NOT_BEFORE)
                           or "1970-01-01T00:00:00Z"),
        )  # fmt: skip

    def export_usb(self, to_dir: Path, *, include_acknowledged: bool = False) -> ExportReport:
        return export_outbox(
            self._batcher(), Path(to_dir), include_acknowledged=include_acknowledged
        )

    def verify_pin(self, pin: str) -> bool:
        """Check the coordinator PIN; PinLocked while the pad is locked after wrong tries."""
        stored = self._store.get_config(ConfigKey.COORDINATOR_PIN_HASH)
        if not stored:
            raise PinNotSet("no coordinator PIN is set on this station")
        with self._lock:
            state = pin_rule.PinAttempts.from_json(self._store.get_config(PIN_ATTEMPTS_KEY))
            now = self._clock().timestamp()
            left = pin_rule.seconds_remaining(state, now)
            if left > 0:
                raise PinLocked(math.ceil(left))
            right = isinstance(pin, str) and verify_pin(stored, pin)
            state = pin_rule.after_success() if right else pin_rule.after_failure(state, now)
            self._store.set_config(PIN_ATTEMPTS_KEY, state.to_json())
        return right

    def integrity_problems(self) -> list[str]:
        """PRAGMA integrity_check and the outbox hash chain; empty when all is well."""
        problems = [str(p) for p in self._store.verify_chain()]
        check = self._store.integrity_check()
        if check not in ("ok", ["ok"], True, None, []):
            problems.append(f"integrity_check: {check}")
        return problems

    def close(self) -> None:
        with self._lock:
            self._store.close()

    def __enter__(self) -> Station:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def wire_identity(spec: Spec | SpecIdentity) -> SpecIdentityWire:
    """The wire form of a spec's identity, from a Spec or its SpecIdentity."""
    identity = spec.identity if isinstance(spec, Spec) else spec
    return SpecIdentityWire(id=identity.id, version=identity.version, sha256=identity.sha256)


def sync_summary(report: SyncReport) -> str:
    return (
        f"{report.batches} batch(es): {report.accepted} accepted, {report.duplicate} duplicate, "
        f"{report.conflict} conflict, {report.rejected} rejected; "
        f"{report.pending_after} pending"
    )
