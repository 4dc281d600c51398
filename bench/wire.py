"""Bytes on the wire per response, against the same answers sent as plain compressed JSON.

    .venv/bin/python bench/wire.py [--batches 20] [--batch-size 100] [--answers 60]

Each response has 60 answers to the CIPS officials questionnaire. The MSS path: the sealed
response (zlib, HPKE), its envelope (id, seq, hash chain, spec identity), batches of 100,
signed, gzip, plus the HTTP request line and headers the station sends. The baseline: the
same response payloads as one plain JSON array per 100, gzip, with the same framing.
Target: MSS <= 1.2 x baseline + 48 bytes per response (48 = HPKE's encapsulated key + tag).
The same responses sealed to a post-quantum hybrid key (MLKEM768-X25519) are printed beside.

Downstream, the receipts: the full receipt (one result per envelope) against the summary in
runs of seq that stations ask for (protocol/receipt_summary.py), with the HTTP status line and
headers; and the requests and seconds a sync of 1,000 responses takes over 50 kbit/s with the
station's batch limit then (100) and now. Target: <= 10 bytes of receipt per response and
<= 3 requests.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crypto import (  # noqa: E402
    MLKEM768_X25519,
    SEAL_OVERHEAD,
    X25519,
    StationKey,
    generate_survey_key,
    seal_overhead,
)
from device_app.batching import BatchLimits  # noqa: E402
from miniatures.traffic import (  # noqa: E402
    BenchStation,
    officials_spec,
    random_answers,
    response_payload,
)
from protocol import (  # noqa: E402
    RECEIPT_SUMMARY_MEDIA_TYPE,
    EnvelopeResult,
    Receipt,
    ReceiptSummary,
    canonical_json,
)
from protocol.wire import SpecIdentityWire  # noqa: E402

HOST = "survey.customs.example:443"


def http_framing(body_length: int) -> int:
    """The request line and headers of the station's POST /v1/batches (HTTP/1.1)."""
    lines = [
        "POST /v1/batches HTTP/1.1",
        f"Host: {HOST}",
        "Accept: */*",
        "Accept-Encoding: gzip, deflate",
        "Connection: keep-alive",
        "User-Agent: mss-station/0.1.0",
        "Content-Type: application/json",
        "Content-Encoding: gzip",
        f"Content-Length: {body_length}",
    ]
    return len(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=20)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--answers", type=int, default=60)
    args = parser.parse_args()

    spec = officials_spec()
    identity = SpecIdentityWire(**spec.identity.as_dict())
    stations = {
        kem: BenchStation("st_benchwire", StationKey.generate(), identity,
                          generate_survey_key(kem).public_key(), spec)
        for kem in (X25519, MLKEM768_X25519)
    }  # fmt: skip
    rng = random.Random(2026)

    sealed_sizes: dict[str, list[int]] = {kem: [] for kem in stations}
    plain_sizes, answer_counts = [], []
    for _ in range(args.batches):
        payloads = []
        for _ in range(args.batch_size):
            answers = random_answers(spec, rng, count=args.answers)
            answer_counts.append(len(answers))
            payloads.append(response_payload(spec, answers))
        for kem, station in stations.items():
            body = station.batch_bytes([station.envelope(p) for p in payloads])
            sealed_sizes[kem].append(len(body) + http_framing(len(body)))
        plain = gzip.compress(
            json.dumps(payloads, separators=(",", ":"), ensure_ascii=False).encode(), 6, mtime=0
        )
        plain_sizes.append(len(plain) + http_framing(len(plain)))

    per_sealed = statistics.mean(sealed_sizes[X25519]) / args.batch_size
    per_hybrid = statistics.mean(sealed_sizes[MLKEM768_X25519]) / args.batch_size
    per_plain = statistics.mean(plain_sizes) / args.batch_size
    target = 1.2 * per_plain + SEAL_OVERHEAD
    print(f"responses: {args.batches} batches of {args.batch_size}, "
          f"{statistics.mean(answer_counts):.0f} answers each")  # fmt: skip
    print(f"MSS (sealed, signed, gzip, HTTP)   {per_sealed:8.1f} bytes/response")
    print(f"baseline (plain JSON, gzip, HTTP)  {per_plain:8.1f} bytes/response")
    print(f"ratio MSS/baseline                 {per_sealed / per_plain:8.2f}x")
    print(f"target: <= 1.2 x baseline + {SEAL_OVERHEAD} = {target:.1f} bytes/response: "
          f"{'met' if per_sealed <= target else 'NOT met'}")  # fmt: skip
    print(f"MSS, post-quantum key (mlkem768-x25519) {per_hybrid:8.1f} bytes/response "
          f"({per_hybrid / per_sealed:.2f}x the X25519 key's; its encapsulation is "
          f"{seal_overhead(MLKEM768_X25519) - seal_overhead(X25519)} bytes longer)")  # fmt: skip
    full, summary = receipts_down(args.batch_size, rng)
    print(f"receipt, full (HTTP)               {full:8.1f} bytes/response down")
    print(f"receipt, summary in runs (HTTP)    {summary:8.1f} bytes/response down")
    print(f"ratio summary/full                 {summary / full:8.3f}x; target <= 10 B: "
          f"{'met' if summary <= 10 else 'NOT met'}")  # fmt: skip
    sync_of_a_thousand(per_sealed, rng)


def response_framing(body_length: int, media_type: str) -> int:
    """The status line and headers uvicorn sends with a receipt."""
    lines = [
        "HTTP/1.1 200 OK",
        "date: Wed, 02 Dec 2026 10:00:00 GMT",
        "server: uvicorn",
        f"content-length: {body_length}",
        f"content-type: {media_type}",
    ]
    return len(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))


def receipts_down(batch_size: int, rng: random.Random) -> tuple[float, float]:
    """Bytes per response of a clean batch's receipt: (full, summary)."""
    ids = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(batch_size)]
    receipt = Receipt(
        batch_id=str(uuid.uuid4()),
        results=[EnvelopeResult(envelope_id=i, status="accepted") for i in ids],
    )
    full = len(canonical_json(receipt.wire_dict()))
    summary = len(canonical_json(ReceiptSummary.of(receipt, range(1, batch_size + 1)).wire_dict()))
    return (
        (full + response_framing(full, "application/json")) / batch_size,
        (summary + response_framing(summary, RECEIPT_SUMMARY_MEDIA_TYPE)) / batch_size,
    )


def sync_of_a_thousand(up_per_response: float, rng: random.Random) -> None:
    link = 50_000 / 8  # bytes per second, each way
    print("sync of 1,000 responses over 50 kbit/s:")
    rows = [("then", 100, 0), ("now", BatchLimits().max_envelopes, 1)]
    for name, per_batch, summarised in rows:
        batches = -(-1000 // per_batch)
        down = receipts_down(per_batch, rng)[summarised] * 1000
        seconds = (up_per_response * 1000 + down) / link
        print(f"  {name:4} batches of {per_batch:3}: {batches + 1:2} requests with the beacon, "
              f"receipts {down / 1000:5.1f} B/response, {seconds:5.1f} s on the wire")  # fmt: skip


if __name__ == "__main__":
    main()
