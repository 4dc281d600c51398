"""Work done once per spec rather than once per response.

Kept per spec object, not per identity: two objects may share an identity and still be two
objects (a copy works its identity out afresh: models._Model.model_copy). The server reads
each registered body once (loader.load_spec_body is cached), so one object stands for one
spec there. The oldest is dropped past `KEPT` so a long-lived process stays bounded; the spec
itself is held with what was compiled from it, so an id is never reused while kept.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from questionnaire_specs.models import Spec

KEPT = 64
Compiled = TypeVar("Compiled")


def once_per_spec(build: Callable[[Spec], Compiled]) -> Callable[[Spec], Compiled]:
    kept: dict[int, tuple[Spec, Compiled]] = {}

    @functools.wraps(build)
    def compiled(spec: Spec) -> Compiled:
        found = kept.get(id(spec))
        if found is None or found[0] is not spec:
            if len(kept) >= KEPT:
                del kept[next(iter(kept))]
            found = kept[id(spec)] = (spec, build(spec))
        return found[1]

    return compiled
