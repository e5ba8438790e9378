"""Run every ``bench/bench_*.py`` (or those named) and append their output to ``bench/results.md``.

Usage: ``python -m bench [NAME ...]`` where NAME is e.g. ``flyers`` for ``bench_flyers.py``; each module's
``main(argv)`` prints its figure, floor and ratio and returns 0 when its target is met. Each runs in its own
interpreter.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.md"


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
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    wanted = [n if n.startswith("bench_") else f"bench_{n}" for n in argv] or names
    unknown = sorted(set(wanted) - set(names))
    if unknown:
        print(f"unknown benchmark(s) {unknown}; known: {names}", file=sys.stderr)
        return 2
    failed = 0
    sections = []
    for name in wanted:
        print(f"== {name}", flush=True)
        # Each benchmark runs in a fresh interpreter: none inherits another's Qt application, imports, caches or
        # memory, so start-up and memory figures mean what they say.
        child = subprocess.Popen(
            [sys.executable, str(HERE / f"{name}.py")],
            stdout=subprocess.PIPE,
            text=True,
            cwd=HERE.parent,
        )
        assert child.stdout is not None
        copy = io.StringIO()
        for line in child.stdout:
            sys.stdout.write(line)
            sys.stdout.flush()
            copy.write(line)
        code = child.wait()
        if code not in (0, 1):  # 1: ran, but a target was missed (it says which)
            copy.write(f"FAILED: exit status {code}\n")
            print(f"FAILED: exit status {code}")
        failed += code != 0
        sections.append(f"### {name}\n\n```\n{copy.getvalue().rstrip()}\n```\n")
    stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    with RESULTS.open("a", encoding="utf-8") as fh:
        fh.write(f"\n## {stamp} — {machine()}\n\n" + "\n".join(sections))
    print(f"appended to {RESULTS}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
