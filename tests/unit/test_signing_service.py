"""The signing service below the screens: duplicates that add a phone for text updates, paper records and the funnel."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from kiosk.runtime import open_runtime
from kiosk.signing import SignatureDraft, save_signature, validate_signature
from local_db.models import FunnelCount, Signature
from tests.helpers.kiosk import PASSPHRASE, make_options


def _valid(runtime, **kw):  # type: ignore[no-untyped-def]
    draft = SignatureDraft(
        **{
            "first_name": "Yeshi",
            "last_name": "Dorje",
            "email": "yeshi@example.org",
            "postcode": "EH1 1YZ",
            "consent_sign": True,
            **kw,
        }
    )
    valid, errors = validate_signature(draft, runtime.options.campaign)
    assert valid is not None, errors
    return valid


def test_duplicate_with_sms_optin_stores_the_new_phone(set_up_data_dir: Path) -> None:
    runtime = open_runtime(make_options(set_up_data_dir))
    runtime.vault.unlock(PASSPHRASE)
    first = save_signature(runtime, _valid(runtime))
    again = save_signature(runtime, _valid(runtime, phone="07911 123456", optin_sms=True))
    assert again.duplicate and again.record_id == first.record_id and again.new_optins == ["sms_updates"]
    with runtime.db.begin() as session:
        record = session.get(Signature, first.record_id)
        assert record is not None and record.optin_sms
        assert runtime.vault.open_record(record)["phone"] == "+447911123456"
        assert session.scalar(select(func.count()).select_from(Signature)) == 1
    runtime.close()


def test_paper_records_do_not_count_as_completed_flows(set_up_data_dir: Path) -> None:
    runtime = open_runtime(make_options(set_up_data_dir))
    save_signature(runtime, _valid(runtime), source="paper")
    save_signature(runtime, _valid(runtime, email="other@example.org"))
    with runtime.db.begin() as session:
        completed = session.scalar(select(func.sum(FunnelCount.completed)).where(FunnelCount.flow == "sign"))
    assert completed == 1
    runtime.close()
