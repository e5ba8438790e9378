"""An export killed mid-way leaves a hidden .partial folder with personal data in clear; the next export removes it."""

from __future__ import annotations

from pathlib import Path

from kiosk.exports import export_records
from kiosk.runtime import open_runtime
from kiosk.signing import SignatureDraft, save_signature, validate_signature
from tests.helpers.kiosk import PASSPHRASE, make_options


def test_next_export_removes_an_interrupted_ones_leftovers(set_up_data_dir: Path, tmp_path: Path) -> None:
    runtime = open_runtime(make_options(set_up_data_dir))
    valid, _ = validate_signature(
        SignatureDraft("Sonam", "Wangdu", "sonam@example.org", "EH1 1YZ", consent_sign=True), runtime.options.campaign
    )
    assert valid is not None
    save_signature(runtime, valid)
    runtime.vault.unlock(PASSPHRASE)
    out = tmp_path / "usb"
    leftover = out / ".kiosk-export-20261125-0900.partial"
    leftover.mkdir(parents=True)
    (leftover / "signatures.csv").write_text("first_name\nSomeone Private\n", encoding="utf-8")
    result = export_records(runtime, out)
    assert not leftover.exists()
    assert [p.name for p in out.iterdir()] == [result.folder.name]
    runtime.close()
