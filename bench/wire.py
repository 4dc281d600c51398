"""Bytes on the wire per response, against the same answers sent as plain compressed JSON.

    .venv/bin/python bench/wire.py [--batches 20] [--batch-size 100] [--answers 60]

Each response has 60 answers to the CIPS officials questionnaire. The MSS path: the sealed
response (zlib, HPKE), its envelope (id, seq, hash chain, spec identity), batches of 100,
signed, gzip, plus the HTTP request line and headers the station sends. The baseline: the
same response payloads as one plain JSON array per 100, gzip, with the same framing.
Target: MSS <= 1.2 x baseline + 48 bytes per response (48 = HPKE's encapsulated key + tag).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crypto import SEAL_OVERHEAD, StationKey, generate_survey_key  # noqa: E402
from miniatures.traffic import (  # noqa: E402
    BenchStation,
    officials_spec,
    random_answers,
    response_payload,
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
    survey_key = generate_survey_key().public_key()
    identity = SpecIdentityWire(**spec.identity.as_dict())
    station = BenchStation("st_benchwire", StationKey.generate(), identity, survey_key, spec)
    rng = random.Random(2026)

    sealed_sizes, plain_sizes, answer_counts = [], [], []
    for _ in range(args.batches):
        payloads = []
        for _ in range(args.batch_size):
            answers = random_answers(spec, rng, count=args.answers)
            answer_counts.append(len(answers))
            payloads.append(response_payload(spec, answers))
        body = station.batch_bytes([station.envelope(p) for p in payloads])
        sealed_sizes.append(len(body) + http_framing(len(body)))
        plain = gzip.compress(
            json.dumps(payloads, separators=(",", ":"), ensure_ascii=False).encode(), 6, mtime=0
        )
        plain_sizes.append(len(plain) + http_framing(len(plain)))

    per_sealed = statistics.mean(sealed_sizes) / args.batch_size
    per_plain = statistics.mean(plain_sizes) / args.batch_size
    target = 1.2 * per_plain + SEAL_OVERHEAD
    print(f"responses: {args.batches} batches of {args.batch_size}, "
          f"{statistics.mean(answer_counts):.0f} answers each")  # fmt: skip
    print(f"MSS (sealed, signed, gzip, HTTP)   {per_sealed:8.1f} bytes/response")
    print(f"baseline (plain JSON, gzip, HTTP)  {per_plain:8.1f} bytes/response")
    print(f"ratio MSS/baseline                 {per_sealed / per_plain:8.2f}x")
    print(f"target: <= 1.2 x baseline + {SEAL_OVERHEAD} = {target:.1f} bytes/response: "
          f"{'met' if per_sealed <= target else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
