"""/help and HELP stay short in every role and circle state, and offer only steps that person can take."""

from __future__ import annotations

import itertools
import uuid
from datetime import date

from core.models import Circle, CircleStatus, ContributionStatus, PayoutOrder, Role
from handlers import guide
from handlers.guide import Standing
from handlers.telegram import texts
from handlers.whatsapp import texts as wa_texts

ROLES = [None, Role.MEMBER, Role.ORGANIZER]
PAYMENTS = [None, ContributionStatus.PENDING, ContributionStatus.CONFIRMED, ContributionStatus.REJECTED]


def circle(status: CircleStatus, *, auto_draw: bool = True, name: str = "Family Fund") -> Circle:
    return Circle(id=uuid.uuid4(), name=name, amount_per_cycle=50_000, currency="KES", total_members=200,
                  frequency="monthly", first_due_date=date(2026, 12, 5), timezone="Africa/Nairobi",
                  payout_order=PayoutOrder.RANDOM, join_code="K7P2QX", status=status, auto_draw=auto_draw,
                  draw_hour=18)


def standings():
    """Every role × circle state × payment × (nobody / some / everyone confirmed) × organizers."""
    states = [(CircleStatus.FORMING, False, None), (CircleStatus.ACTIVE, False, 3), (CircleStatus.ACTIVE, True, 3),
              (CircleStatus.COMPLETED, False, None), (CircleStatus.CANCELLED, False, None)]
    for (status, drawn, cycle), role, payment, confirmed, pending, auto, organizers in itertools.product(
            states, ROLES, PAYMENTS, (0, 150, 200), (0, 3), (True, False), (1, 2, 5)):
        yield Standing(circle=circle(status, auto_draw=auto, name="Ω" * 64), role=role,
                       seats=200 if status != CircleStatus.FORMING else 199,
                       cycle_number=cycle, due_date=date(2026, 12, 5) if cycle else None, drawn=drawn,
                       my_payment=payment if role else None, confirmed=confirmed, pending=pending,
                       winner="W" * 64 if drawn else None, organizers=[f"Organizer {i}" for i in range(organizers)],
                       today=date(2026, 11, 25))


def test_help_is_at_most_six_lines_in_every_role_and_state():
    for s in standings():
        for registered in (True, False):
            text = texts.help_card(s, name="Grandmother", registered=registered)
            assert len(text.splitlines()) <= 6 and len(text) < 1000, (s, text)
        menu = wa_texts.menu(texts.help_card(s, name="Grandmother", how=wa_texts.HOW),
                             [step.upper() for step in s.steps()] + ["HELP ALL"], "KES 500")
        assert len(menu.splitlines()) <= 8 and len(menu) < 1600, menu
        assert "tap" not in menu.lower()  # WhatsApp has nothing to tap


def test_only_the_steps_a_person_can_take_are_offered():
    for s in standings():
        steps = s.steps()
        assert (guide.DRAW in steps) == (s.role == Role.ORGANIZER and s.everyone_confirmed and not s.drawn
                                         and not s.ended and not s.forming)
        assert guide.PAID not in steps or (s.role is not None and s.my_payment in (None, ContributionStatus.REJECTED))
        assert guide.JOIN not in steps or s.role is None
        assert steps == [guide.HISTORY] if s.ended else guide.SUMMARY in steps


def test_a_refusal_names_up_to_three_organizers():
    base = next(s for s in standings() if s.cycle_number and not s.drawn)
    for names, expected in ((["Alice"], "Alice (organizer)"), (["Alice", "Bob"], "Alice or Bob (organizers)"),
                            (["A", "B", "C"], "A, B or C (organizers)"),
                            (["A", "B", "C", "D"], "A, B, C or another organizer (organizers)")):
        s = Standing(**{**base.__dict__, "organizers": names})
        assert texts.organizers(s) == expected
