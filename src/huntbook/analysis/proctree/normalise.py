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


def names_and_paths(images: pd.Series, paths: pd.Series | None = None) -> tuple[pd.Series, pd.Series]:
    """Return the file name and the full path of each process image.

    Parameters
    ----------
    images : pandas.Series
        An image name or path per process (``powershell.exe`` or
        ``C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe``).
    paths : pandas.Series, optional
        The full path per process (Defender's ``FolderPath``), used where present.

    Returns
    -------
    tuple of pandas.Series
        The file name (the text after the last ``\\`` or ``/``, taken from
        *paths* where *images* is missing) and the full path (missing where
        only a bare name is known), each with the dtype of its source.
    """
    image_names, image_paths = _split_images(images)
    if paths is None or not paths.notna().any():
        return image_names, image_paths
    path_names, full = _split_images(paths)
    return image_names.fillna(path_names), full.fillna(image_paths)


def _split_images(images: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Return each image's file name and its path (missing unless it holds a separator; empty is missing)."""
    codes, uniques = pd.factorize(images)
    text = pd.Series(np.asarray(uniques, dtype=object), dtype=object).astype(str)
    base = text.str.rsplit("\\", n=1).str[-1].str.rsplit("/", n=1).str[-1]
    base = base.where(base != "", text)  # a trailing separator: keep the whole text
    known = (text != "").to_numpy(dtype=bool)
    is_path = known & text.str.contains(r"[\\/]", regex=True).to_numpy(dtype=bool)
    dtype = images.dtype if pd.api.types.is_string_dtype(images.dtype) else object

    def pick(values: np.ndarray, present: np.ndarray) -> pd.Series:
        """*values* (one per unique) at each row, missing where not *present*; taken, not rebuilt."""
        choices = pd.array([*values.tolist(), None], dtype=dtype)  # type: ignore[arg-type]  # the last: missing
        at = np.where(codes >= 0, codes, len(values))
        at = np.where(np.append(present, False)[at], at, len(values))
        return pd.Series(choices.take(at), index=images.index)

    names = pick(np.asarray(base, dtype=object), known)
    return names, pick(np.asarray(uniques, dtype=object), is_path)


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
