"""The station's HTTP link to the server: retries with backoff, problems as typed errors.

Network errors and 5xx answers are retried with exponential backoff and full jitter (sleep a
random time between 0 and the doubled delay, so a fleet that comes back online together does
not knock in step). A 4xx is final unless its problem says `retry` (408, 429): the server's
problem+json detail becomes a ServerRefused (or StationRevoked) error. `sleep` and
`random` are parameters so tests do not wait.

`send_outbox` sends the batches a `batching.Batcher` cuts and issues, and marks each
envelope as its receipt says.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from random import Random
from typing import TYPE_CHECKING

import httpx

from device_app.errors import BadReceipt, ServerRefused, ServerUnreachable, StationRevoked
from protocol import RECEIPT_SUMMARY_MEDIA_TYPE, Receipt, ReceiptSummary

if TYPE_CHECKING:
    from device_app.batching import Batcher, BuiltBatch
    from device_app.store import StationStore

USER_AGENT = "mss-station/1"


@dataclass(frozen=True)
class Backoff:
    attempts: int = 5
    first_delay_s: float = 1.0
    longest_delay_s: float = 60.0

    def delay(self, attempt: int, random: Random) -> float:
        """Full jitter: uniform in [0, min(longest, first · 2^attempt)]; attempt counts from 0."""
        ceiling = min(self.longest_delay_s, self.first_delay_s * 2 ** min(attempt, 30))
        return random.uniform(0.0, ceiling)


class ServerLink:
    """POST and GET against one server URL, with the retry rule above."""

    def __init__(
        self,
        server_url: str,
        *,
        transport: httpx.BaseTransport | None = None,
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] = time.sleep,
        random: Random | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        if not server_url.startswith(("http://", "https://")):
            raise ServerUnreachable(f"the server URL {server_url!r} is not an http(s) URL")
        self.server_url = server_url.rstrip("/")
        self.backoff = backoff or Backoff()
        self._sleep = sleep
        self._random = random or Random()  # noqa: S311 - jitter, not a secret
        self._client = httpx.Client(
            base_url=self.server_url,
            transport=transport,
            timeout=timeout_s,
            headers={"User-Agent": USER_AGENT},
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ServerLink:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def post(self, path: str, body: bytes, *, headers: dict[str, str]) -> httpx.Response:
        return self._send(lambda: self._client.post(path, content=body, headers=headers), path)

    def get(self, path: str) -> httpx.Response:
        return self._send(lambda: self._client.get(path), path)

    def _send(self, request: Callable[[], httpx.Response], path: str) -> httpx.Response:
        last = ""
        for attempt in range(max(1, self.backoff.attempts)):
            if attempt:
                self._sleep(self.backoff.delay(attempt - 1, self._random))
            try:
                response = request()
            except httpx.TransportError as error:
                last = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
                continue
            if response.status_code >= 400 and says_retry(response):
                last = f"HTTP {response.status_code} {problem_of(response)[1]}".rstrip()
                continue
            if response.status_code >= 400:
                raise refusal(response)
            return response
        raise ServerUnreachable(
            f"could not reach {self.server_url}{path} after {self.backoff.attempts} "
            f"attempt(s) ({last}); nothing was lost, sync again later"
        )


def says_retry(response: httpx.Response) -> bool:
    """Whether the same request may succeed later: any 5xx, and a 4xx whose problem says so
    (the catalogue's `retry`: a body that arrived too slowly, too many attempts)."""
    if response.status_code >= 500:
        return True
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and body.get("retry") is True


def problem_of(response: httpx.Response) -> tuple[str, str]:
    """(code, detail) from a problem+json body, or a plain description of the answer."""
    try:
        body = response.json()
    except ValueError:
        return f"http-{response.status_code}", response.reason_phrase or ""
    if isinstance(body, dict):
        code = str(body.get("code") or f"http-{response.status_code}")
        detail = str(body.get("detail") or body.get("title") or response.reason_phrase)
        return code, detail
    return f"http-{response.status_code}", response.reason_phrase or ""


def refusal(response: httpx.Response) -> ServerRefused:
    code, detail = problem_of(response)
    if code == "station-revoked":
        return StationRevoked(response.status_code, code, detail)
    return ServerRefused(response.status_code, code, detail)


# --- one sync -------------------------------------------------------------------------------


@dataclass
class SyncReport:
    server_url: str
    batches: int = 0
    accepted: int = 0
    duplicate: int = 0
    conflict: int = 0
    rejected: int = 0
    pending_after: int = 0
    beacon_sent: bool = False
    beacon_problem: str | None = None
    # Key rotation: the key id the station seals to from now on, or why an announced key
    # was not taken (device_app/key_rotation.py).
    survey_key_switched_to: str | None = None
    survey_key_refused: str | None = None
    problems: list[str] = field(default_factory=list)  # "envelope <id>: <code>" (no content)

    @property
    def acknowledged(self) -> int:
        return self.accepted + self.duplicate


BATCH_HEADERS = {
    "Content-Type": "application/json",
    "Content-Encoding": "gzip",
    # A summary in runs of seq (protocol/receipt_summary.py); a server that does not know it
    # answers the full receipt.
    "Accept": f"{RECEIPT_SUMMARY_MEDIA_TYPE}, application/json;q=0.5",
}


def send_outbox(
    batcher: Batcher,
    link: ServerLink,
    report: SyncReport,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Send every pending envelope, batch by batch, marking each as its receipt says."""
    store = batcher.store
    total = store.counts().pending
    done = 0
    if progress:
        progress(0, total)
    while True:
        entries = batcher.next_pending()
        if not entries:
            break
        built = batcher.issue(entries, via="http")
        response = link.post("/v1/batches", built.data, headers=BATCH_HEADERS)
        named = apply_receipt(store, built, response, report)
        report.batches += 1
        if named == 0:
            # A receipt that settles nothing would make us loop forever on the same batch.
            raise BadReceipt(f"the receipt for batch {built.batch_id} settled no envelope")
        done += named
        if progress:
            progress(min(done, max(total, done)), max(total, done))


def _read_receipt(response: httpx.Response, built: BuiltBatch) -> Receipt:
    media_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == RECEIPT_SUMMARY_MEDIA_TYPE:
        summary = ReceiptSummary.model_validate_json(response.content)
        return summary.expand(built.envelope_of_seq())
    return Receipt.model_validate_json(response.content)


def apply_receipt(
    store: StationStore, built: BuiltBatch, response: httpx.Response, report: SyncReport
) -> int:
    """Mark what the receipt names; return how many envelopes it settled."""
    try:
        receipt = _read_receipt(response, built)
    except ValueError as error:
        raise BadReceipt(f"the server's receipt is not valid: {str(error)[:200]}") from None
    if receipt.batch_id != built.batch_id:
        raise BadReceipt(f"the receipt is for batch {receipt.batch_id}, not {built.batch_id}")
    sent = set(built.envelope_ids)
    acknowledged: list[str] = []
    for result in receipt.results:
        if result.envelope_id not in sent:
            # Never mark what we did not send in this batch, whatever the server says.
            continue
        if result.acknowledged:
            acknowledged.append(result.envelope_id)
            if result.status == "accepted":
                report.accepted += 1
            else:
                report.duplicate += 1
        else:
            code = result.code or result.status
            store.mark_problem(result.envelope_id, result.status, code)
            if result.status == "conflict":
                report.conflict += 1
            else:
                report.rejected += 1
            report.problems.append(f"envelope {result.envelope_id}: {result.status} ({code})")
        sent.discard(result.envelope_id)
    if acknowledged:
        store.mark_acknowledged(acknowledged, batch_id=built.batch_id)
    return len(built.envelope_ids) - len(sent)
