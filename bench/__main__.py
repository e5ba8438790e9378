"""Run every ``bench/bench_*.py`` (or those named) and append their output to ``bench/results.md``.

Usage: ``python -m bench [NAME ...]`` where NAME is e.g. ``flyers`` for ``bench_flyers.py``; each module's
``main(argv)`` prints its figure, floor and ratio and returns 0 when its target is met.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib
import io
import os
import platform
import sys
from pathlib import Path
from typing import TextIO

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.md"


class _Tee(io.TextIOBase):
    """Writes to the terminal and keeps a copy for results.md."""

    def __init__(self, terminal: TextIO) -> None:
        self.terminal, self.copy = terminal, io.StringIO()

    def write(self, text: str) -> int:
        self.terminal.write(text)
        self.copy.write(text)
        return len(text)

    def flush(self) -> None:
        self.terminal.flush()


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.node()}, {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(HERE.parent))
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in argv] or names
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; known: {names}", file=sys.stderr)
        return 2
    failed = 0
    sections = []
    for name in wanted:
        print(f"== {name}")
        tee = _Tee(sys.stdout)
        with contextlib.redirect_stdout(tee):
            try:
                code = int(importlib.import_module(f"bench.{name}").main([]) or 0)
            except Exception as exc:  # one broken benchmark must not hide the others' results
                print(f"FAILED: {type(exc).__name__}: {exc}")
                code = 1
        failed += code != 0
        sections.append(f"### {name}\n\n```\n{tee.copy.getvalue().rstrip()}\n```\n")
    stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(f"\n## {stamp} — {machine()}\n\n" + "\n".join(sections))
    print(f"appended to {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
