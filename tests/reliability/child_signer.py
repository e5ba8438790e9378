"""A kiosk process for crash tests: saves signatures (or syncs) through the real code and reports on stdout.

``python -m tests.reliability.child_signer sign DATA_DIR FIRST_NUMBER``
    Opens the kiosk's storage the way the app does, prints ``ready``, then saves signer FIRST_NUMBER,
    FIRST_NUMBER + 1, ... (see tests/reliability/records.py) through validation, sealing and the durable commit,
    printing ``<number> <record id>`` only after each commit returned: an acknowledged signature.

``python -m tests.reliability.child_signer sync DATA_DIR SYNC_JSON``
    Opens storage unlocked with the ``[sync]`` table in SYNC_JSON, prints ``ready``, runs sync passes until
    nothing waits, then prints ``done``.

The parent test kills this process with SIGKILL at a random moment and checks what survived.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.runtime import open_runtime
from kiosk.services import KioskOptions
from kiosk.sync.backoff import Backoff
from kiosk.sync.engine import SyncEngine
from kiosk.sync.settings import parse_sync_settings
from tests.helpers.kiosk import PASSPHRASE, make_options
from tests.reliability.records import save

# A runaway child stops by itself; a round never gets near this.
MAX_SIGNATURES = 20_000


def sign(data_dir: Path, first: int) -> int:
    runtime = open_runtime(make_options(data_dir))
    print("ready", flush=True)
    for n in range(first, first + MAX_SIGNATURES):
        record_id = save(runtime, n)
        print(f"{n} {record_id}", flush=True)
    runtime.close()
    return 0


def sync(data_dir: Path, sync_json: Path) -> int:
    table = json.loads(sync_json.read_text(encoding="utf-8"))
    base = make_options(data_dir, KioskConfig(sync=table))
    options = KioskOptions(
        data_dir=base.data_dir, config=base.config, campaign=base.campaign, unlock_passphrase=PASSPHRASE
    )
    runtime = open_runtime(options)
    engine = SyncEngine(runtime, parse_sync_settings(table), backoff=Backoff(base_s=0.001, cap_s=0.01))
    print("ready", flush=True)
    for _ in range(100):
        result = engine.run_pass(manual=True)
        if result.counts.waiting == 0:
            break
    print("done", flush=True)
    engine.close()
    runtime.close()
    return 0


def main(argv: list[str]) -> int:
    mode, data_dir, arg = argv
    if mode == "sign":
        return sign(Path(data_dir), int(arg))
    if mode == "sync":
        return sync(Path(data_dir), Path(arg))
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
