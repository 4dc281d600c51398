"""Shared fixtures: the fixture specs, and a small valid spec document to break in tests."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
import yaml

from questionnaire_specs import Problem, SpecError, load_spec_text
from tests.questionnaire_specs.documents import BASE


@pytest.fixture
def doc() -> dict[str, Any]:
    """A fresh copy of a small valid spec document."""
    return copy.deepcopy(BASE)


@pytest.fixture
def problems_of() -> Callable[[dict[str, Any]], list[Problem]]:
    """Dump a document to YAML, load it, and return its problems (none if it is valid)."""

    def run(document: dict[str, Any]) -> list[Problem]:
        source = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
        try:
            load_spec_text(source, "spec.yaml")
        except SpecError as error:
            return error.problems
        return []

    return run
