"""The rule book, as a table: every role against every action, scope and country."""

from __future__ import annotations

import pytest

from sync_server.access.user_roles import ACTIONS, ROLES, Actor, may

ADMIN = Actor.of("ada", "administrator", [], False)
COORDINATOR_SL = Actor.of("cole", "coordinator", ["SL"], False)
ANALYST_SL = Actor.of("ana", "analyst", ["SL"], False)
ANALYST_SL_GH = Actor.of("anna", "analyst", ["GH", "SL"], False)
GLOBAL = Actor.of("gus", "global_analyst", [], False)
DISABLED_ADMIN = Actor.of("old", "administrator", [], True)
DISABLED_ANALYST = Actor.of("gone", "analyst", ["SL"], True)
UNKNOWN_ROLE = Actor.of("who", "superuser", ["SL"], False)

# (actor, action, scope, country, allowed)
TABLE = [
    # administrator: everything
    (ADMIN, "release", "national", "SL", True),
    (ADMIN, "release", "national", "GH", True),
    (ADMIN, "release", "pooled", None, True),
    (ADMIN, "download", "national", "GH", True),
    (ADMIN, "download", "pooled", None, True),
    (ADMIN, "export", None, None, True),
    (ADMIN, "users", None, None, True),
    # coordinator scoped to SL: national SL only
    (COORDINATOR_SL, "release", "national", "SL", True),
    (COORDINATOR_SL, "download", "national", "SL", True),
    (COORDINATOR_SL, "release", "national", "GH", False),
    (COORDINATOR_SL, "download", "national", "GH", False),
    (COORDINATOR_SL, "release", "pooled", None, False),
    (COORDINATOR_SL, "download", "pooled", None, False),
    (COORDINATOR_SL, "export", None, None, False),
    (COORDINATOR_SL, "users", None, None, False),
    # analyst scoped to SL: the same
    (ANALYST_SL, "release", "national", "SL", True),
    (ANALYST_SL, "download", "national", "SL", True),
    (ANALYST_SL, "release", "national", "GH", False),
    (ANALYST_SL, "release", "national", "sl", False),  # codes are exact
    (ANALYST_SL, "release", "pooled", None, False),
    (ANALYST_SL, "export", None, None, False),
    (ANALYST_SL, "users", None, None, False),
    # analyst scoped to two countries
    (ANALYST_SL_GH, "release", "national", "GH", True),
    (ANALYST_SL_GH, "release", "national", "SL", True),
    (ANALYST_SL_GH, "release", "national", "KE", False),
    # global analyst: pooled, and national for any country (documented decision)
    (GLOBAL, "release", "pooled", None, True),
    (GLOBAL, "download", "pooled", None, True),
    (GLOBAL, "release", "national", "SL", True),
    (GLOBAL, "download", "national", "KE", True),
    (GLOBAL, "export", None, None, False),
    (GLOBAL, "users", None, None, False),
    # the fleet (the console's stations, revoking, quarantine): administrators and the
    # coordinators of the station's country
    (ADMIN, "fleet", "national", "GH", True),
    (COORDINATOR_SL, "fleet", "national", "SL", True),
    (COORDINATOR_SL, "fleet", "national", "GH", False),
    (ANALYST_SL, "fleet", "national", "SL", False),
    (GLOBAL, "fleet", "national", "SL", False),
    (DISABLED_ADMIN, "fleet", "national", "SL", False),
    # disabled users may do nothing, whatever their role
    (DISABLED_ADMIN, "release", "pooled", None, False),
    (DISABLED_ADMIN, "export", None, None, False),
    (DISABLED_ANALYST, "release", "national", "SL", False),
    (DISABLED_ANALYST, "download", "national", "SL", False),
    # malformed questions are refused, never guessed
    (UNKNOWN_ROLE, "release", "national", "SL", False),
    (ADMIN, "delete", None, None, False),
    (ADMIN, "release", "galactic", None, False),
    (ADMIN, "release", "national", None, False),  # national needs a country
    (ADMIN, "release", "national", "", False),
    (GLOBAL, "release", "pooled", "SL", False),  # pooled has no country
    (ANALYST_SL, "release", None, "SL", False),
    (ADMIN, "export", "national", "SL", False),  # export is not about a release
]


@pytest.mark.parametrize(("actor", "action", "scope", "country", "allowed"), TABLE)
def test_who_may_do_what(
    actor: Actor, action: str, scope: str | None, country: str | None, allowed: bool
) -> None:
    assert may(actor, action, scope, country) is allowed


def test_the_table_covers_every_role_and_action() -> None:
    covered = {(row[0].role, row[1]) for row in TABLE if not row[0].disabled}
    for role in ROLES:
        for action in ACTIONS:
            assert (role, action) in covered, (role, action)
