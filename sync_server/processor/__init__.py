"""The processor: opens sealed envelopes from the inbox, checks them against their spec and
loads them into the central store. A separate process from intake; it alone holds the survey
private key. Idempotent and resumable: work is claimed and committed in chunks, and a bad
envelope is quarantined with its reason, never dropped."""

from sync_server.processor.opening import Quarantine, open_envelope
from sync_server.processor.run import HeldKeys, ProcessReport, process_inbox

__all__ = ["HeldKeys", "ProcessReport", "Quarantine", "open_envelope", "process_inbox"]
