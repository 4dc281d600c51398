"""Contract fixtures: a real server (create_app on SQLite) and stations provisioned against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.contract.world import World, make_world


@pytest.fixture
def world(tmp_path: Path) -> World:
    return make_world(tmp_path)
