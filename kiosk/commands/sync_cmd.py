"""campaign-kiosk sync: deliver stored records headless, with the same engine the kiosk window uses."""

from __future__ import annotations

import argparse
import sys
import time

from kiosk.commands.context import CommandContext, UsageError, prompt_secret, read_secret_file

NAME = "sync"
HELP = "deliver stored records to the sync target set in [sync] of kiosk.toml (--once: one pass, then exit)"

EXIT_PENDING = 3
EXIT_REJECTED = 4
# How often the endless mode looks again when nothing is due (a new signature, an expired backoff timer).
IDLE_POLL_S = 15.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--once",
        action="store_true",
        help="one pass over every pending record (backoff timers ignored, Retry-After and the rate limit kept), then "
        "exit 0 when nothing is left pending, 3 when records remain pending, 4 when any are rejected",
    )
    parser.add_argument(
        "--unlock-passphrase-file", metavar="F", help="organiser passphrase on the first line of F (sync needs it)"
    )


def exit_code(pending: int, rejected: int) -> int:
    if rejected:
        return EXIT_REJECTED
    return EXIT_PENDING if pending else 0


def run(args: argparse.Namespace, ctx: CommandContext) -> int:
    from kiosk.runtime import open_runtime
    from kiosk.sync.engine import Progress, SyncEngine, summary_line
    from kiosk.sync.settings import settings_from_config

    settings = settings_from_config(ctx.config)
    for warning in settings.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.unlock_passphrase_file:
        passphrase = read_secret_file(args.unlock_passphrase_file, "passphrase")
    else:
        passphrase = prompt_secret("Organiser passphrase (sync reads sealed records): ")
    runtime = open_runtime(ctx.options(unlock_passphrase=passphrase))
    try:
        if runtime.vault is None:
            raise UsageError(f"the kiosk in {ctx.data_dir} is not set up yet: run `campaign-kiosk setup` first")
        engine = SyncEngine(runtime, settings)
        try:
            if not settings.enabled:
                counts = engine.counts()
                print('sync is off ([sync] adapter = "none" in the kiosk config); nothing was sent')
                print(f"synced 0 · pending {counts.waiting} · rejected {counts.rejected}")
                return exit_code(counts.waiting, counts.rejected)
            last_print = [0.0]

            def show(progress: Progress) -> None:
                now = time.monotonic()
                if now - last_print[0] >= 1.0 or progress.done == progress.total:
                    last_print[0] = now
                    print(
                        f"  {progress.done}/{progress.total} · synced {progress.synced} · retry {progress.retried}"
                        f" · rejected {progress.rejected}",
                        flush=True,
                    )

            print(f"syncing to {settings.target_url} ({settings.adapter})", flush=True)
            if args.once:
                result = engine.run_pass(manual=True, progress=show)
                if result.status != "done":
                    print(f"stopped early: {result.detail}", file=sys.stderr)
                print(summary_line(result))
                return exit_code(result.counts.waiting, result.counts.rejected)
            return _run_forever(engine, show)
        finally:
            engine.close()
    finally:
        runtime.close()


def _run_forever(engine: object, show: object) -> int:
    from kiosk.sync.connectivity import PROBE_INTERVAL_S
    from kiosk.sync.engine import SyncEngine, summary_line

    assert isinstance(engine, SyncEngine)
    synced = 0
    try:
        while True:
            result = engine.run_pass(progress=show)  # type: ignore[arg-type]
            synced += result.synced
            if result.total or result.status != "done":
                print(summary_line(result) + ("" if result.status == "done" else f" - {result.detail}"), flush=True)
            wait = IDLE_POLL_S
            if result.status in ("offline", "failing"):
                wait = PROBE_INTERVAL_S
            next_due = engine.next_due()
            if result.hold_until is not None:
                next_due = result.hold_until
            if next_due is not None and result.status not in ("offline", "failing"):
                from local_db.models import utcnow

                wait = min(wait, max(0.5, (next_due - utcnow()).total_seconds()))
            time.sleep(wait)
    except KeyboardInterrupt:
        counts = engine.counts()
        print(f"stopped: synced {synced} this run · pending {counts.waiting} · rejected {counts.rejected}")
        return exit_code(counts.waiting, counts.rejected)
