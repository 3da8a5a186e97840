"""Payment codes for WhatsApp: stable, short, easy to read aloud, and told apart from numbers and names."""

from __future__ import annotations

import random
import uuid

from hypothesis import given
from hypothesis import strategies as st

from core.payment_refs import ALPHABET, LENGTH, by_ref, looks_like_ref, payment_ref


@given(st.uuids())
def test_a_payment_always_gets_the_same_readable_code(contribution_id):
    code = payment_ref(contribution_id)
    assert code == payment_ref(str(contribution_id)) and len(code) == LENGTH
    assert set(code) <= set(ALPHABET) and not set(code) & set("01OIL")
    assert looks_like_ref(code) and looks_like_ref(code.lower())


def test_codes_differ_between_payments():
    rng = random.Random(10)  # fixed: the same 2,000 ids every run
    ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in range(2000)]
    assert len({payment_ref(i) for i in ids}) == len(ids)


def test_numbers_and_most_names_are_not_codes():
    assert not looks_like_ref("2") and not looks_like_ref("12") and not looks_like_ref("Joseph")
    assert not looks_like_ref("Tomas")  # an O: never in a code


def test_by_ref_ignores_case_and_spaces():
    class P:
        def __init__(self, ref):
            self.ref = ref
    payments = [P("K7P2Q"), P("ABCDE")]
    assert by_ref(payments, " k7p2q ") == [payments[0]] and by_ref(payments, "K7P2R") == []


def test_the_confirm_list_fits_one_whatsapp_message_at_200_members():
    from types import SimpleNamespace

    from core.models import ContributionStatus
    from core.payment_refs import CurrentPayment
    from handlers.whatsapp.commands import _waiting_list

    circle = SimpleNamespace(currency="KES", amount_per_cycle=1_000_000)
    waiting = [CurrentPayment(payment_ref(uuid.UUID(int=i)), uuid.UUID(int=i), uuid.UUID(int=i),
                              f"Member Number {i:03d} Wanjiru-Otieno", 1_000_000, ContributionStatus.PENDING, 1)
               for i in range(200)]
    text = _waiting_list(circle, waiting)
    assert len(text) <= 1600 and waiting[0].ref in text and "more after these" in text
    assert _waiting_list(circle, waiting[:3]).count(" — Member Number") == 3
