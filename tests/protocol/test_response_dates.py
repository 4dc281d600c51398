"""A completion day the calendar does not have is refused in the response's own error family."""

from pathlib import Path

import pytest

from protocol.response import ResponseFormatError, response_plaintext
from questionnaire_specs import load_spec

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = load_spec(ROOT / "tests" / "questionnaire_specs" / "fixtures" / "example.yaml")


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01", "2025-02-29", "2026-00-10"])
def test_an_impossible_completion_day_is_a_response_format_error(day: str) -> None:
    response = {
        "v": 1, "answers": {"consent": 1}, "spec": EXAMPLE.identity.as_dict(),
        "language": "en", "population": "officials", "country": "NE", "region": "Agadez",
        "completed_on": day, "duration_s": 60, "complete": True,
    }  # fmt: skip
    with pytest.raises(ResponseFormatError, match="completed_on"):
        response_plaintext(EXAMPLE, response)
