"""Whether two releases may be compared: wave over wave, or two populations of one wave.

The change in an index means something only when both waves measured the same thing the
same way: the same questionnaire, the same scope and country, an earlier wave, and, for each
key factor, the same statements with the same answer codes. A new spec version that rewords
nothing keeps its waves comparable; one that adds, drops or recodes a factor's statement does
not, and the report says which statements differ instead of printing a change that mixes
two measures.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class NotComparable(Exception):
    """The two releases cannot be compared: the message says why."""


def _release(codebook: Mapping[str, Any]) -> Mapping[str, Any]:
    return codebook.get("release", {})


def _statements(codebook: Mapping[str, Any]) -> dict[str, tuple[int, tuple[str, ...]]]:
    """Each key-factor statement: its factor and its answer codes."""
    return {
        variable["name"]: (
            int(variable["key_factor"]["number"]),
            tuple(sorted(str(code["code"]) for code in variable.get("codes", []))),
        )
        for variable in codebook.get("variables", [])
        if variable.get("key_factor") is not None
    }


def check_comparable(now: Mapping[str, Any], then: Mapping[str, Any]) -> None:
    """NotComparable unless the release whose codebook is `then` is an earlier wave of the
    same measure as `now`'s."""
    spec_now, spec_then = now.get("spec", {}), then.get("spec", {})
    if spec_now.get("id") != spec_then.get("id"):
        raise NotComparable(
            f"the earlier release is of {spec_then.get('id')}, not {spec_now.get('id')}: a "
            "wave is compared with the same questionnaire's"
        )
    release_now, release_then = _release(now), _release(then)
    for what in ("scope", "country"):
        if release_now.get(what) != release_then.get(what):
            raise NotComparable(
                f"the earlier release's {what} is {release_then.get(what)}, this one's is "
                f"{release_now.get(what)}: compare a release with the same {what}'s"
            )
    wave_now, wave_then = release_now.get("wave"), release_then.get("wave")
    if wave_now is not None and wave_then is not None and str(wave_then) >= str(wave_now):
        raise NotComparable(
            f"the earlier release is of wave {wave_then}, not earlier than wave {wave_now}"
        )
    statements_now, statements_then = _statements(now), _statements(then)
    differing = sorted(
        name
        for name in statements_now.keys() | statements_then.keys()
        if statements_now.get(name) != statements_then.get(name)
    )
    if differing:
        shown = ", ".join(differing[:6]) + (" …" if len(differing) > 6 else "")
        raise NotComparable(
            f"spec versions {spec_then.get('version')} and {spec_now.get('version')} differ "
            f"in the key factors' statements ({shown}): their indices measure different "
            "things, so no change is computed"
        )


def check_same_wave(now: Mapping[str, Any], other: Mapping[str, Any]) -> None:
    """NotComparable unless `other` is another questionnaire's release (another population:
    the private sector beside officials) of the same scope, country and wave as `now`."""
    if now.get("spec", {}).get("id") == other.get("spec", {}).get("id"):
        raise NotComparable(
            "the release to compare with is of the same questionnaire: give another "
            "population's (its change over waves is --previous/--compare)"
        )
    release_now, release_other = _release(now), _release(other)
    for what in ("scope", "country", "wave"):
        if release_now.get(what) != release_other.get(what):
            raise NotComparable(
                f"the other population's release has {what} {release_other.get(what)}, this "
                f"one {release_now.get(what)}: populations are compared within one {what}"
            )
