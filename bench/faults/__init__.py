"""The fault harness: the attacks and faults of issue 9 kept as code, run against the real
components (the real Station, the real app under uvicorn, the real processor, SQLite and
PostgreSQL). Each case module has `run(database, quick) -> Tally`; `python -m bench.faults`
prints the table (`make faults`)."""
