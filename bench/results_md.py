"""Each benchmark owns one section of bench/RESULTS.md, between marker comments."""

from __future__ import annotations

from pathlib import Path

TITLE = "# Benchmark results\n\nEach section was written by the command it names (scripts in `bench/`).\n"


def write_section(path: Path, name: str, body: str) -> None:
    """Replace the section *name* of *path* with *body* (append it if missing)."""
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else TITLE
    if start in text and end in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
