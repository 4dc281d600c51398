"""The station side has one error catalogue: the store's errors are station errors."""

from __future__ import annotations

import inspect

from device_app import errors as station_errors
from device_app.store import errors as store_errors


def test_every_store_error_is_a_station_error_with_its_own_code() -> None:
    classes = [
        value
        for value in vars(store_errors).values()
        if inspect.isclass(value) and issubclass(value, Exception)
    ]
    assert classes
    for error in classes:
        assert issubclass(error, station_errors.StationError), error
    # A code means one thing across the catalogue: shared classes, never look-alikes.
    assert store_errors.StationLocked is station_errors.WrongPassphrase
    assert store_errors.NotAStation is station_errors.NotAStation
    assert issubclass(store_errors.KeyFileDamaged, station_errors.StationDamaged)
    everything = set(classes) | {
        value
        for value in vars(station_errors).values()
        if inspect.isclass(value) and issubclass(value, station_errors.StationError)
    }
    by_code: dict[str, type] = {}
    for error in everything:
        if "code" in vars(error):  # classes that name their own code
            assert by_code.setdefault(error.code, error) is error, error.code
