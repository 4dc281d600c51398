"""Write a release's data in the formats analysts open: CSV (UTF-8), XLSX, Parquet, SPSS
(.sav) and Stata (.dta), with variable and value labels in the chosen language.

Every writer is reproducible: the same frame gives the same bytes. What the libraries stamp
with the current time is pinned: the XLSX zip entries and document properties, and the
creation date in the SPSS and Stata headers (FIXED_TIME).

`NAMES`, the formats there are, comes from `WRITERS` and is all the API, the command line and
the tests list. This module imports no pandas, numpy or pyarrow until a writer runs, so that
the API (which never builds a release itself) can name the formats without loading them.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from sync_server.releases.codebook import Variable

if TYPE_CHECKING:
    import pandas as pd

XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
FIXED_ZIP_TIME = (2000, 1, 1, 0, 0, 0)
FIXED_ISO_TIME = "2000-01-01T00:00:00Z"
SAV_HEADER_TIME = b"01 Jan 0000:00:00"  # creation date (9 bytes) and time (8 bytes)
SAV_TIME_OFFSET = 84 + 8  # after record type, product, layout, sizes and bias
DTA_TIME = b"01 Jan 2000 00:00"
DTA_LABEL_CHARS = 80

Writer = Callable[["pd.DataFrame", list[Variable], str, Path], None]


def write_csv(frame: pd.DataFrame, variables: list[Variable], lang: str, path: Path) -> None:
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _plain_values() -> Callable[[object], object]:
    """A cell as openpyxl takes it: None for a missing value, a numpy scalar as a Python one."""
    import numpy as np
    import pandas as pd

    def plain(value: object) -> object:
        if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
            return None
        if isinstance(value, np.generic):
            return value.item()
        return value

    return plain


def write_xlsx(frame: pd.DataFrame, variables: list[Variable], lang: str, path: Path) -> None:
    from openpyxl import Workbook

    plain = _plain_values()
    workbook = Workbook(write_only=True)
    data = workbook.create_sheet("data")
    data.append(list(frame.columns))
    columns = [frame[name].astype(object).to_numpy() for name in frame.columns]
    for row in zip(*columns, strict=True):
        data.append([plain(value) for value in row])
    labels = workbook.create_sheet("labels")
    labels.append(["variable", "label", "code", "code label"])
    for variable in variables:
        labels.append([variable.name, variable.label_in(lang), None, None])
        for code, text in variable.value_labels(lang).items():
            labels.append([variable.name, None, code, text])
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_pinned_zip(buffer.getvalue()))


_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:\2>)")


def _pinned_zip(data: bytes) -> bytes:
    """The same archive with fixed entry times and document dates (openpyxl stamps now)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = _CORE_TIMES.sub(
                    lambda m: m.group(1) + FIXED_ISO_TIME.encode() + m.group(3), content
                )
            pinned = zipfile.ZipInfo(info.filename, date_time=FIXED_ZIP_TIME)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = 0o600 << 16
            target.writestr(pinned, content)
    return out.getvalue()


def write_parquet(frame: pd.DataFrame, variables: list[Variable], lang: str, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    by_name = {variable.name: variable for variable in variables}
    fields = []
    for column in table.schema:
        variable = by_name.get(column.name)
        if variable is None:
            fields.append(column)
            continue
        metadata = {"label": variable.label_in(lang)}
        value_labels = variable.value_labels(lang)
        if value_labels:
            metadata["value_labels"] = json.dumps(
                {str(code): text for code, text in value_labels.items()}, ensure_ascii=False
            )
        fields.append(column.with_metadata(metadata))
    table = table.cast(pa.schema(fields, metadata=table.schema.metadata))
    pq.write_table(table, path, compression="zstd")


def _for_stats_package(frame: pd.DataFrame) -> pd.DataFrame:
    """SPSS and Stata know numbers and strings: nullable ints become floats with NaN as
    system-missing, and a missing text becomes an empty string.

    Texts are handed over as plain Python strings in object columns: pyreadstat reads the
    frame cell by cell, and a cell of pandas' Arrow-backed `str` dtype costs ten times a
    Python object's (half the time of a .sav, measured by bench/release_formats.py). A column
    that holds only texts is not sent through `astype(str)`: that builds an Arrow string
    array of it and reads it back, 40 % of a .sav's time at 100,000 rows, for the same
    strings."""
    import numpy as np
    import pandas as pd

    converted = {}
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_numeric_dtype(column.dtype):
            converted[name] = column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        else:
            if column.dtype == "datetime64[s]":
                # What str() of each naive whole-second Timestamp says, "YYYY-MM-DD
                # HH:MM:SS", written by numpy for the whole column at once.
                stamps = np.char.replace(np.datetime_as_string(column.to_numpy(), "s"), "T", " ")
                values = np.where(column.isna().to_numpy(), "", stamps).astype(object)
                converted[name] = pd.Series(values, index=frame.index, dtype=object)
                continue
            texts = column.astype(object).where(column.notna(), "")
            values = texts.to_numpy(dtype=object)
            if pd.api.types.infer_dtype(values, skipna=False) != "string":
                values = texts.astype(str).to_numpy(dtype=object)  # dates, numbers: their text
            converted[name] = pd.Series(values, index=frame.index, dtype=object)
    return pd.DataFrame(converted, index=frame.index)


def _labels(frame: pd.DataFrame, variables: list[Variable], lang: str):
    import pandas as pd

    numeric = {n for n in frame.columns if pd.api.types.is_numeric_dtype(frame[n].dtype)}
    column_labels = {v.name: v.label_in(lang) for v in variables if v.name in frame.columns}
    value_labels = {
        v.name: {float(code): text for code, text in v.value_labels(lang).items()}
        for v in variables
        if v.name in numeric and v.value_labels(lang)
    }
    return numeric, column_labels, value_labels


def write_sav(frame: pd.DataFrame, variables: list[Variable], lang: str, path: Path) -> None:
    import pyreadstat

    data = _for_stats_package(frame)
    numeric, column_labels, value_labels = _labels(data, variables, lang)
    missing = {
        v.name: [float(code) for code in v.non_substantive()[:3]]  # SPSS holds 3 discrete
        for v in variables
        if v.name in numeric and v.non_substantive()
    }
    pyreadstat.write_sav(
        data,
        str(path),
        column_labels=column_labels,
        variable_value_labels=value_labels,
        missing_ranges=missing,
    )
    _pin_bytes(path, SAV_TIME_OFFSET, SAV_HEADER_TIME, expect_prefix=b"$FL2")


def write_dta(frame: pd.DataFrame, variables: list[Variable], lang: str, path: Path) -> None:
    import pyreadstat

    data = _for_stats_package(frame)
    _numeric, column_labels, value_labels = _labels(data, variables, lang)
    # Stata holds 80 characters of a variable label (the codebook has the full text).
    column_labels = {name: _shorten(text, DTA_LABEL_CHARS) for name, text in column_labels.items()}
    # Stata value labels need whole numbers.
    value_labels = {
        name: {int(code): text for code, text in labels.items()}
        for name, labels in value_labels.items()
    }
    pyreadstat.write_dta(
        data, str(path), column_labels=column_labels, variable_value_labels=value_labels
    )
    content = path.read_bytes()
    marker = content.find(b"<timestamp>")
    if marker < 0 or marker > 1024:
        raise ValueError("unexpected Stata header: no timestamp to pin")
    start = marker + len(b"<timestamp>")
    length = content[start]
    if length != len(DTA_TIME):
        raise ValueError("unexpected Stata timestamp length")
    path.write_bytes(content[: start + 1] + DTA_TIME + content[start + 1 + length :])


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _pin_bytes(path: Path, offset: int, value: bytes, *, expect_prefix: bytes) -> None:
    with path.open("r+b") as handle:
        if handle.read(len(expect_prefix)) != expect_prefix:
            raise ValueError(f"unexpected header in {path.name}: cannot pin its creation time")
        handle.seek(offset)
        handle.write(value)


WRITERS: dict[str, Writer] = {
    "csv": write_csv,
    "xlsx": write_xlsx,
    "parquet": write_parquet,
    "sav": write_sav,
    "dta": write_dta,
}
NAMES: tuple[str, ...] = tuple(WRITERS)  # also each data file's extension
