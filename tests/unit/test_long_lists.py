"""Lists that grow with the circle (names, cycles) are summarised, so a 200-member circle's messages fit."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from core.history import CycleRecord
from core.models import CircleStatus, CycleStatus
from handlers.formats import day, names
from handlers.telegram import texts


def test_names_say_how_many_more() -> None:
    assert names(["Alice", "Tom"]) == "Alice, Tom"
    assert names([f"M{i}" for i in range(200)]) == ", ".join(f"M{i}" for i in range(12)) + " and 188 more"
    assert names(None) == ""


def test_days_read_like_people_say_them() -> None:
    assert day(date(2026, 12, 5), date(2026, 11, 25)) == "Sat 5 Dec"
    assert day("2027-01-12", "2026-12-30") == "Tue 12 Jan 2027"
    assert day(date(2025, 12, 5), date(2026, 1, 2)) == "Fri 5 Dec 2025"


def test_a_200_cycle_history_fits_a_whatsapp_message() -> None:
    circle = SimpleNamespace(name="Big Family Chama of the Otieno and Wanjiku Clans", currency="KES",
                             timezone="Africa/Nairobi", status=CircleStatus.COMPLETED)
    records = [CycleRecord(cycle_number=n, due_date=date(2026, 12, 5) + timedelta(days=30 * n),
                           status=CycleStatus.PAID_OUT, seed_commitment="0" * 64, eligible_ids=[], seed="1" * 64,
                           winner_id=uuid.uuid4(), winner_name=f"Member Number {n:03d} Wanjiru-Achieng Nyambura",
                           unpaid_ids=[], payout_id=uuid.uuid4(), payout_amount=10_000_000, acknowledged=n % 2 == 0)
               for n in range(1, 201)]
    shown = texts.history(circle, records, datetime(2026, 11, 25, tzinfo=UTC))
    assert len(shown) < 1600
    shown_cycles = [line for line in shown.splitlines() if line.startswith("Cycle ")]
    first_shown = int(shown_cycles[0].split()[1])
    assert shown_cycles[-1].startswith("Cycle 200 (due") and 180 < first_shown < 200
    earlier = first_shown - 1
    assert f"Cycles 1–{earlier}: {earlier} pots handed over, {earlier // 2} confirmed received." in shown

