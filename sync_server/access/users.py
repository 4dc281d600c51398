"""Users: added with a role (and countries for coordinators and analysts), never deleted,
only disabled. Passwords are kept as Argon2id PHC strings."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from crypto import USER_PASSWORD, KdfCost, KeyFileError, hash_pin, secret_weakness, verify_pin
from protocol.wire import wire_time
from sync_server.access.user_roles import COUNTRY_SCOPED_ROLES, ROLES, Actor
from sync_server.store.access_models import User
from sync_server.store.transactions import in_transaction

Clock = Callable[[], datetime]
RandomBytes = Callable[[int], bytes]

USER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,99}")
COUNTRY_CODE = re.compile(r"[A-Z]{2}")
MIN_PASSWORD_CHARS = 12
MAX_PASSWORD_CHARS = 1024  # Argon2id reads it all: a bound keeps a login from being a DoS
# Verified when the user is unknown, so a wrong name costs as long as a wrong password.
_NOBODY = "$argon2id$v=19$m=65536,t=6,p=1$" + "A" * 22 + "$" + "A" * 43


class UserError(ValueError):
    """Bad input for users or tokens: the message says what is wrong; nothing changed."""


# crypto.hash_pin/verify_pin are the project's generic Argon2id secret hashers (PHC strings);
# a password is such a secret, so these names only say what we use them for here.
def hash_password(
    password: str, *, cost: KdfCost = KdfCost.STRONG, random_bytes: RandomBytes = os.urandom
) -> str:
    return hash_pin(password, cost=cost, random_bytes=random_bytes)


def verify_password(stored: str, password: str) -> bool:
    try:
        return verify_pin(stored, password)
    except KeyFileError:
        return False


@dataclass(frozen=True)
class UserView:
    name: str
    role: str
    countries: list[str]
    disabled: bool
    created_at: datetime
    disabled_at: datetime | None

    @classmethod
    def of(cls, user: User) -> UserView:
        return cls(
            name=user.name,
            role=user.role,
            countries=list(user.countries),
            disabled=user.disabled,
            created_at=user.created_at,
            disabled_at=user.disabled_at,
        )

    def actor(self) -> Actor:
        return Actor.of(self.name, self.role, self.countries, self.disabled)

    def to_json(self) -> dict[str, object]:
        return {
            "name": self.name,
            "role": self.role,
            "countries": self.countries,
            "disabled": self.disabled,
            "created_at": wire_time(self.created_at),
            "disabled_at": wire_time(self.disabled_at) if self.disabled_at else None,
        }


def check_user_name(name: str) -> str:
    if not isinstance(name, str) or not USER_NAME.fullmatch(name):
        raise UserError(
            "a user name is 1 to 100 letters, digits or . _ @ - and starts with a letter or digit"
        )
    return name


def check_role_and_countries(role: str, countries: Iterable[str]) -> list[str]:
    """The countries to store for `role`, sorted and without repeats."""
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}: use one of {', '.join(ROLES)}")
    chosen = sorted(set(countries))
    for country in chosen:
        if not COUNTRY_CODE.fullmatch(country):
            raise UserError(f"{country!r} is not a two-letter ISO 3166 code in capitals, e.g. SL")
    if role in COUNTRY_SCOPED_ROLES and not chosen:
        raise UserError(f"a {role} is scoped to countries: name at least one")
    if role not in COUNTRY_SCOPED_ROLES and chosen:
        raise UserError(f"a {role} is not scoped to countries: name none")
    return chosen


def check_password(password: str, *, name: str = "") -> str:
    """The password when it is long enough and hard to guess (crypto's one rule for chosen
    secrets, with the user's own name counted against it); UserError saying why."""
    if not isinstance(password, str) or len(password.strip()) < MIN_PASSWORD_CHARS:
        raise UserError(f"a password needs at least {MIN_PASSWORD_CHARS} characters")
    if len(password) > MAX_PASSWORD_CHARS:
        raise UserError(f"a password has at most {MAX_PASSWORD_CHARS} characters")
    weakness = secret_weakness(password, USER_PASSWORD, context=[name])
    if weakness is not None:
        raise UserError(weakness)
    return password


def add_user(
    session_factory: sessionmaker[Session],
    *,
    name: str,
    role: str,
    countries: Iterable[str],
    password: str,
    clock: Clock,
    cost: KdfCost = KdfCost.STRONG,
    random_bytes: RandomBytes = os.urandom,
) -> UserView:
    """A new user; UserError for bad input or a name already taken."""
    check_user_name(name)
    chosen = check_role_and_countries(role, countries)
    password_hash = hash_password(
        check_password(password, name=name), cost=cost, random_bytes=random_bytes
    )

    def work(session: Session) -> UserView:
        if session.get(User, name) is not None:
            raise UserError(f"a user named {name} already exists")
        user = User(
            name=name,
            role=role,
            countries=chosen,
            password_hash=password_hash,
            disabled=False,
            created_at=clock(),
            disabled_at=None,
        )
        session.add(user)
        session.flush()
        return UserView.of(user)

    try:
        return in_transaction(session_factory, work)
    except IntegrityError:
        # Two operators adding the same name at once: the second one lost.
        raise UserError(f"a user named {name} already exists") from None


def list_users(session_factory: sessionmaker[Session]) -> list[UserView]:
    with session_factory() as session:
        return [UserView.of(user) for user in session.scalars(select(User).order_by(User.name))]


def disable_user(session_factory: sessionmaker[Session], name: str, *, clock: Clock) -> UserView:
    """Disable `name` for good: every token of theirs stops working at once."""

    def work(session: Session) -> UserView:
        user = session.get(User, name)
        if user is None:
            raise UserError(f"no user named {name}")
        if not user.disabled:
            user.disabled = True
            user.disabled_at = clock()
        return UserView.of(user)

    return in_transaction(session_factory, work)


def authenticate_password(
    session_factory: sessionmaker[Session], name: str, password: str
) -> Actor | None:
    """The user when `password` is theirs and they are not disabled; None otherwise.

    Costs one Argon2id run whatever the outcome, so timing does not tell names apart.
    """
    user = None
    if isinstance(name, str) and USER_NAME.fullmatch(name):
        with session_factory() as session:
            found = session.get(User, name)
            user = UserView.of(found) if found is not None else None
            stored = found.password_hash if found is not None else _NOBODY
    else:
        stored = _NOBODY
    if not isinstance(password, str) or len(password) > MAX_PASSWORD_CHARS:
        return None
    matches = verify_password(stored, password)
    if user is None or not matches or user.disabled:
        return None
    return user.actor()
