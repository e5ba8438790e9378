"""Benchmark: sync throughput against a loopback server with the rate limit off, against bare httpx round trips
carrying the same requests to the same server, in the same run (issue 10: throughput >= 0.8x the floor).

Action Network: the sync engine claims each sealed record durably, opens it, looks the signer up and posts the
signature (two requests for a signer who opted in), and records each outcome durably. The floor replays exactly the
requests the engine sent (same paths, queries and JSON bodies) with a bare httpx client and no database, against
the same server emptied to the state the engine started from. Webhook: the engine sends batches of 100; the floor
posts the very same bodies, already encoded and signed, with bare httpx.

The fake server (the tests' own, tests/helpers/) runs in a process of its own, as a real receiver runs on another
machine: in the benchmark's process its threads would compete with the engine (and with the floor's client) for
the GIL. Engine and floor talk to that same server process.

The machine may be shared and noisy: engine and floor run alternately ``--rounds`` times, each on a fresh queue and
an emptied server, and the best time of each is compared. The ratio is the engine's time over the floor's (1.25 is
0.8x the floor's throughput); the overhead per record is the difference.

Run: ``.venv/bin/python bench/bench_sync.py [--records N] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx

from kiosk.sync.engine import SyncEngine
from kiosk.sync.settings import parse_sync_settings
from tests.helpers.fake_action_network import FakeActionNetwork, FaultyServer, Logged
from tests.helpers.fake_webhook import FakeWebhook
from tests.helpers.sync_records import bulk_signatures, open_sync_runtime

# Issue 10: sync throughput at least 0.8x that of bare HTTP round trips to the same loopback server, i.e. the
# engine's time at most 1.25x the floor's.
TARGET_THROUGHPUT = 0.8
TARGET_TIME_RATIO = 1 / TARGET_THROUGHPUT


def empty(server: FaultyServer) -> None:
    """Forget what the server stored and logged, so each measurement starts from the same empty server."""
    with server.lock:
        server.log.clear()
        for name in ("people", "signatures", "records", "deliveries"):
            stored = getattr(server, name, None)
            if isinstance(stored, dict):
                stored.clear()
        keys = getattr(server, "idempotency_keys", None)
        if isinstance(keys, list):
            keys.clear()


def _serve(kind: str, conn: Connection) -> None:
    """The server process: one fake server, driven by commands on ``conn`` until "stop"."""
    server: FakeActionNetwork | FakeWebhook = FakeActionNetwork() if kind == "action_network" else FakeWebhook()
    server.start()
    info: dict[str, Any] = {"origin": server.origin, "sync": server.sync_config(rate_limit_per_s=0, timeout_s=30)}
    if isinstance(server, FakeActionNetwork):
        info["token"] = server.token
    else:
        info["url"], info["secret"] = server.url, server.secret
    conn.send(info)
    while True:
        command, args = conn.recv()
        if command == "stop":
            server.stop()
            conn.send(None)
            return
        if command == "empty":
            empty(server)
            conn.send(None)
        elif command == "requests":
            conn.send(server.requests(*args))
        elif command == "stored":
            with server.lock:
                stored = server.signatures if isinstance(server, FakeActionNetwork) else server.records
                conn.send(len(stored))


class ServerProcess:
    """One of the tests' fake servers (``action_network`` or ``webhook``) in a process of its own."""

    def __init__(self, kind: str) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(target=_serve, args=(kind, child), name=f"fake-{kind}", daemon=True)
        self._process.start()
        child.close()
        self.info: dict[str, Any] = self._conn.recv()
        self.origin: str = self.info["origin"]

    def _call(self, command: str, *args: Any) -> Any:
        self._conn.send((command, args))
        return self._conn.recv()

    def empty(self) -> None:
        self._call("empty")

    def requests(self, method: str | None = None) -> list[Logged]:
        logged: list[Logged] = self._call("requests", method)
        return logged

    def stored(self) -> int:
        return int(self._call("stored"))

    def stop(self) -> None:
        try:
            self._call("stop")
        finally:
            self._process.join(timeout=10)
            if self._process.is_alive():
                self._process.kill()


def run_engine(server: ServerProcess, records: int, optin_every: int) -> float:
    """Seconds for one manual pass delivering ``records`` fresh signatures, from an emptied server."""
    config = server.info["sync"]
    with tempfile.TemporaryDirectory() as tmp:
        runtime = open_sync_runtime(Path(tmp), config)
        bulk_signatures(runtime, records, optin_every=optin_every)
        engine = SyncEngine(runtime, parse_sync_settings(config))
        server.empty()
        start = time.perf_counter()
        result = engine.run_pass(manual=True)
        took = time.perf_counter() - start
        engine.close()
        runtime.close()
    assert result.synced == records and result.status == "done", result
    return took


def bench_action_network(records: int, rounds: int) -> tuple[float, float]:
    server = ServerProcess("action_network")
    engine_times, floor_times = [], []
    try:
        headers = {"OSDI-API-Token": server.info["token"]}
        for _ in range(rounds):
            # Opted in: a look-up and a signature each.
            engine_times.append(run_engine(server, records, optin_every=1))
            sent = server.requests()
            assert len(sent) == 2 * records, len(sent)
            server.empty()
            with httpx.Client(timeout=30) as client:
                start = time.perf_counter()
                for request in sent:
                    url = server.origin + request.path
                    if request.method == "GET":
                        params = {key: values[0] for key, values in request.query.items()}
                        client.get(url, params=params, headers=headers).raise_for_status()
                    else:
                        client.post(url, json=request.body, headers=headers).raise_for_status()
                floor_times.append(time.perf_counter() - start)
            assert server.stored() == records
    finally:
        server.stop()
    return min(engine_times), min(floor_times)


def bench_webhook(records: int, rounds: int) -> tuple[float, float]:
    from kiosk.sync.adapters.webhook import encode_body, sign_body

    server = ServerProcess("webhook")
    engine_times, floor_times = [], []
    try:
        url, secret = server.info["url"], server.info["secret"]
        for _ in range(rounds):
            engine_times.append(run_engine(server, records, optin_every=3))
            bodies = [r.body for r in server.requests("POST")]
            # Floor: the same bodies, already built and signed, posted with bare httpx.
            prepared = [
                (
                    raw,
                    {
                        "Content-Type": "application/json",
                        "Idempotency-Key": body["batch_id"],
                        "X-Kiosk-Signature": sign_body(secret, raw),
                    },
                )
                for body in bodies
                for raw in [encode_body(body)]
            ]
            server.empty()
            with httpx.Client(timeout=30) as client:
                start = time.perf_counter()
                for raw, headers in prepared:
                    client.post(url, content=raw, headers=headers).raise_for_status()
                floor_times.append(time.perf_counter() - start)
            assert server.stored() == records
    finally:
        server.stop()
    return min(engine_times), min(floor_times)


def report(name: str, records: int, engine_s: float, floor_s: float) -> bool:
    ratio = engine_s / floor_s
    met = ratio <= TARGET_TIME_RATIO
    print(f"{name}: {records} records")
    print(f"  figure: sync engine      {records / engine_s:8.1f} records/s ({engine_s * 1000 / records:.2f} ms each)")
    print(f"  floor:  bare httpx       {records / floor_s:8.1f} records/s ({floor_s * 1000 / records:.2f} ms each)")
    print(
        f"  ratio:  {ratio:.2f}x the floor's time ({floor_s / engine_s:.2f}x its throughput);"
        f" overhead {(engine_s - floor_s) * 1000 / records:.2f} ms per record"
    )
    print(
        f"  target: throughput >= {TARGET_THROUGHPUT}x the floor (time ratio <= {TARGET_TIME_RATIO:.2f})"
        f" -> {'met' if met else 'NOT met'}"
    )
    return met


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=5, help="alternating engine/floor runs; the best of each counts")
    args = parser.parse_args(argv)
    print(f"best of {args.rounds} alternating runs each")
    an_ok = report("action_network", args.records, *bench_action_network(args.records, args.rounds))
    hook_records = args.records * 4
    hook_ok = report("webhook", hook_records, *bench_webhook(hook_records, args.rounds))
    return 0 if an_ok and hook_ok else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
