"""Loose process-event columns to arrays: pids from ints or hex text, UTC times, case-free name codes."""

from __future__ import annotations

import numpy as np
import pandas as pd

MISSING = -1
NO_TIME = np.iinfo(np.int64).min


def to_pids(values: pd.Series) -> np.ndarray:
    """Return *values* (ints, floats, decimal or ``0x`` hex text) as int64, -1 where missing or unreadable."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        numbers = values.to_numpy(dtype="float64", na_value=np.nan)
        return np.where(np.isnan(numbers), MISSING, numbers).astype(np.int64)
    codes, uniques = pd.factorize(values)
    parsed = np.fromiter((_parse_pid(u) for u in uniques), dtype=np.int64, count=len(uniques))
    return np.where(codes < 0, MISSING, parsed[np.maximum(codes, 0)] if len(parsed) else MISSING)


def _parse_pid(value: object) -> int:
    text = str(value).strip().lower()
    try:
        number = int(text, 16) if text.startswith("0x") else int(float(text))
    except ValueError:
        return MISSING
    return number if number >= 0 else MISSING


def to_times(values: pd.Series) -> pd.Series:
    """Return *values* as ``datetime64[ns, UTC]`` (naive times are taken as UTC; unreadable ones NaT)."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        times = values.dt.tz_localize("UTC") if values.dt.tz is None else values.dt.tz_convert("UTC")
    elif values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        try:
            times = pd.to_datetime(values, utc=True, format="ISO8601")
        except (ValueError, TypeError):
            times = pd.to_datetime(values, utc=True, format="mixed", errors="coerce")
    else:
        times = pd.to_datetime(values, utc=True, errors="coerce")
    return pd.Series(times, index=values.index).astype("datetime64[ns, UTC]")


def time_ints(times: pd.Series) -> np.ndarray:
    """Return nanoseconds since the epoch, `NO_TIME` for NaT."""
    return times.to_numpy(dtype="datetime64[ns]", na_value=np.datetime64("NaT")).view(np.int64)


def lower_codes(*columns: pd.Series) -> list[np.ndarray]:
    """Return a stable non-negative int64 hash of each value's lower-case text, `MISSING` where missing.

    Equal codes mean names equal without case; each distinct value is lowered and hashed once.
    """
    out = []
    for column in columns:
        codes, uniques = pd.factorize(column)
        lowered = pd.Index(np.asarray(uniques, dtype=object), dtype=object).str.lower()
        hashed = (pd.util.hash_array(np.asarray(lowered, dtype=object)) >> np.uint64(1)).astype(np.int64)
        out.append(np.where(codes < 0, MISSING, hashed[np.maximum(codes, 0)] if len(hashed) else MISSING))
    return out


def hash_strings(values: pd.Series) -> np.ndarray:
    """Return a uint64 hash of each value's text, 0 where missing (hashing each distinct value once)."""
    codes, uniques = pd.factorize(values)
    if not len(uniques):
        return np.zeros(len(values), dtype=np.uint64)
    hashed = pd.util.hash_array(np.asarray(uniques, dtype=object).astype(str).astype(object))
    return np.where(codes < 0, np.uint64(0), hashed[np.maximum(codes, 0)])


def hash_guids(values: pd.Series) -> np.ndarray:
    """Return a uint64 hash of each process GUID, 0 where missing or all zeros (unknown to Sysmon).

    Braces and case do not matter: ``{a-b}`` (Winlogbeat, XML) and ``A-B`` (evtx) are one GUID.
    """
    text = values.astype("string").str.strip().str.strip("{}").str.upper()
    unknown = text.str.fullmatch(r"[0-]*").fillna(True).to_numpy(dtype=bool)
    return np.where(unknown, np.uint64(0), hash_strings(text.astype(object)))


def mix(*parts: np.ndarray) -> np.ndarray:
    """Return a stable non-negative int64 hash of the rows of equal-length uint64/int64 arrays."""
    acc = np.zeros(len(parts[0]), dtype=np.uint64)
    for part in parts:
        acc = pd.util.hash_array(acc ^ pd.util.hash_array(part.astype(np.int64, copy=False)))
    return (acc & np.uint64(0x7FFF_FFFF_FFFF_FFFF)).astype(np.int64)
