"""The station's error catalogue: each error has a stable code and says whether to retry.

One catalogue for the whole station side: the encrypted store's errors
(device_app/store/errors.py) are part of it, subclasses of StationError.

The CLI and the kiosk choose their words and exit codes from `code` and `retry`, never by
parsing English. Messages name the problem and what to do; they never carry an answer, a
passphrase, a PIN or a key.
"""

from __future__ import annotations


class StationError(Exception):
    """Base of every station-service error."""

    code = "station-error"
    retry = False  # True: the same action may succeed later unchanged (network, server busy)
    exit_code = 1  # what the command line exits with


class WrongPassphrase(StationError):
    """The passphrase does not unlock this station; nothing was changed."""

    code = "wrong-passphrase"

    def __init__(self, message: str = "the passphrase does not unlock this station") -> None:
        super().__init__(message)


class NotAStation(StationError):
    """The directory is missing, is not a directory, or holds no station."""

    code = "not-a-station"
    exit_code = 2


class StationDamaged(StationError):
    """The station's files exist but cannot be read (damaged key file or database)."""

    code = "station-damaged"


class StationNotReady(StationError):
    """The station lacks something provisioning should have stored (keys, specs, config)."""

    code = "station-not-ready"


class UnknownPopulation(StationError):
    code = "unknown-population"
    exit_code = 2


class UnknownLanguage(StationError):
    code = "unknown-language"
    exit_code = 2


class InvalidAnswers(StationError):
    """Answers given to `submit` break the spec; every problem is listed, nothing written."""

    code = "invalid-answers"

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__(f"{len(self.problems)} problem(s) with the answers")


class SessionNotFinished(StationError):
    """`finish` was asked of a session that has not reached its end."""

    code = "session-not-finished"


class PinNotSet(StationError):
    code = "pin-not-set"


class PinLocked(StationError):
    code = "pin-locked"
    retry = True

    def __init__(self, seconds: int) -> None:
        self.seconds = seconds
        super().__init__(f"too many wrong PINs: try again in {seconds} s")


class BadPin(StationError):
    """A new PIN that is not 4 to 12 digits."""

    code = "bad-pin"
    exit_code = 2


class ServerUnreachable(StationError):
    """Network errors or 5xx answers outlasted every retry; nothing was lost."""

    code = "server-unreachable"
    retry = True


class ServerRefused(StationError):
    """The server answered 4xx: the same request must not be retried unchanged."""

    code = "server-refused"

    def __init__(self, status: int, problem_code: str, detail: str) -> None:
        self.status = status
        self.problem_code = problem_code
        self.detail = detail
        super().__init__(f"the server refused the request ({problem_code}): {detail}")


class StationRevoked(ServerRefused):
    """The server revoked this station; only the coordinator can sort it out."""

    code = "station-revoked"


class BadReceipt(StationError):
    """The server's answer does not match what was sent; nothing was marked."""

    code = "bad-receipt"
    retry = True


class BundleInvalid(StationError):
    code = "bundle-invalid"
    exit_code = 2


class EnrolmentRefused(ServerRefused):
    """The server refused the enrolment token (used, expired or unknown)."""

    code = "enrolment-refused"


class SpecMismatch(StationError):
    """A spec body does not hash to the identity it was announced with."""

    code = "spec-mismatch"


class ExportTargetInvalid(StationError):
    code = "export-target-invalid"
    exit_code = 2


class StationDirInvalid(StationError):
    """Provisioning target exists already or its parent is missing."""

    code = "station-dir-invalid"
    exit_code = 2
