"""Tracebacks never carry exception messages into the log or onto stderr: a library may put personal data there."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk import logs
from kiosk.cli import main
from kiosk.commands import check

SECRET = "Ann Secret-Signer ann@example.org"


@pytest.fixture(autouse=True)
def _restore_hooks() -> Iterator[None]:
    hooks = sys.excepthook, threading.excepthook
    yield
    sys.excepthook, threading.excepthook = hooks
    logs.configure_logging(None)


def fail_inside_a_library() -> None:
    try:
        int(SECRET)  # ValueError: invalid literal for int() with base 10: 'Ann Secret-Signer ...'
    except ValueError as exc:
        raise RuntimeError(f"could not read {SECRET}") from exc


def test_logged_tracebacks_keep_frames_and_types_but_no_message(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    log_file = logs.configure_logging(tmp_path)
    assert log_file is not None
    try:
        fail_inside_a_library()
    except RuntimeError:
        logging.getLogger("kiosk.test").exception("export failed")
    for handler in logging.getLogger().handlers:
        handler.flush()
    for text in (log_file.read_text(encoding="utf-8"), capsys.readouterr().err):
        assert "export failed" in text
        assert SECRET not in text and "Ann" not in text
        assert "builtins.ValueError" in text and "builtins.RuntimeError" in text and "which caused:" in text
        assert "in fail_inside_a_library" in text and "test_logs.py" in text


def test_uncaught_errors_in_hooks_and_threads_are_redacted(tmp_path: Path) -> None:
    log_file = logs.configure_logging(tmp_path)
    assert log_file is not None
    try:
        fail_inside_a_library()
    except RuntimeError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    worker = threading.Thread(target=fail_inside_a_library, name="worker")
    worker.start()
    worker.join()
    text = log_file.read_text(encoding="utf-8")
    assert text.count("builtins.RuntimeError") == 2 and "unexpected error in thread worker" in text
    assert SECRET not in text and "Ann" not in text


def test_a_command_that_fails_unexpectedly_exits_70_without_the_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(*_: object) -> int:
        fail_inside_a_library()
        return 0

    monkeypatch.setattr(check, "run", broken)
    assert main(["--data-dir", str(tmp_path), "check"]) == 70
    err = capsys.readouterr().err
    assert "unexpected error in check" in err and "builtins.RuntimeError" in err
    assert SECRET not in err and SECRET not in (tmp_path / "logs" / "kiosk.log").read_text(encoding="utf-8")
