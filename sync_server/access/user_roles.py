"""Who may do what: one pure function over a small table.

| role           | national release of country C      | pooled release | export (raw) | users |
|----------------|------------------------------------|----------------|--------------|-------|
| administrator  | any C                              | yes            | yes          | yes   |
| coordinator    | C in the user's countries          | no             | no           | no    |
| analyst        | C in the user's countries          | no             | no           | no    |
| global_analyst | any C (decided: the programme pools | yes            | no           | no    |
|                | national files too, so it may read  |                |              |       |
|                | each national release)              |                |              |       |

"release" is asking for a release to be built, "download" is reading one (its listing and
its files): the same rule applies to both, by the release's scope and country, whoever asked
for it. "export" is the unanonymised processed CSV (`mss server export`); "users" is managing
users, tokens and reading the audit log; "fleet" is watching and revoking the stations of a
country and reading their quarantine (administrators any country, coordinators their own).
A disabled user may do nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

ROLES = ("administrator", "coordinator", "analyst", "global_analyst")
ACTIONS = ("release", "download", "export", "users", "fleet")
SCOPES = ("national", "pooled")
COUNTRY_SCOPED_ROLES = frozenset({"coordinator", "analyst"})

# role -> action -> scope -> which countries: "any", "own" (the user's countries) or absent.
_TABLE: dict[str, dict[str, dict[str | None, str]]] = {
    "administrator": {
        "release": {"national": "any", "pooled": "any"},
        "download": {"national": "any", "pooled": "any"},
        "export": {None: "any"},
        "users": {None: "any"},
        "fleet": {"national": "any"},
    },
    "coordinator": {
        "release": {"national": "own"},
        "download": {"national": "own"},
        "fleet": {"national": "own"},
    },
    "analyst": {
        "release": {"national": "own"},
        "download": {"national": "own"},
    },
    "global_analyst": {
        "release": {"national": "any", "pooled": "any"},
        "download": {"national": "any", "pooled": "any"},
    },
}


@dataclass(frozen=True)
class Actor:
    """A user as the rules see one: no password, no tokens."""

    name: str
    role: str
    countries: frozenset[str] = field(default_factory=frozenset)
    disabled: bool = False

    @classmethod
    def of(cls, name: str, role: str, countries: Iterable[str], disabled: bool) -> Actor:
        return cls(name=name, role=role, countries=frozenset(countries), disabled=disabled)


def may(user: Actor, action: str, scope: str | None, country: str | None) -> bool:
    """True when `user` may do `action` on a release of `scope` for `country`.

    `scope` and `country` are None for actions that are not about a release (export, users);
    a pooled release has no country. Anything unknown is refused, never guessed.
    """
    if user.disabled:
        return False
    reach = _TABLE.get(user.role, {}).get(action, {}).get(scope)
    if reach is None:
        return False
    if scope == "national":
        if not country:
            return False
        return reach == "any" or country in user.countries
    if scope == "pooled":
        return country is None
    return reach == "any"


def may_at_all(user: Actor, action: str) -> bool:
    """True when `user` may do `action` on something (for a menu: whether to offer it)."""
    return not user.disabled and bool(_TABLE.get(user.role, {}).get(action))
