"""Polling handles a batch's independent conversations concurrently, keeping each one's order."""

from __future__ import annotations

from telegram import Update

from bot.polling import independent_runs
from tests.channels.updates import Person, group_text, private_text

ANN, BEN, CARA, DAN = (Person(n, name) for n, name in ((1, "Ann"), (2, "Ben"), (3, "Cara"), (4, "Dan")))
FAMILY, NEIGHBOURS, CHURCH = -1001, -1002, -1003


def test_updates_sharing_a_chat_or_a_sender_stay_together_in_order():
    sent = [group_text(ANN, FAMILY, "/paid"), group_text(BEN, NEIGHBOURS, "/paid"), private_text(CARA, "/start"),
            group_text(DAN, FAMILY, "/paid"), group_text(CARA, CHURCH, "/join"),
            group_text(BEN, NEIGHBOURS, "/summary")]
    batch = [Update.de_json(u, None) for u in sent]
    runs = [[u.update_id for u in run] for run in independent_runs(batch)]
    ids = [u["update_id"] for u in sent]
    assert sorted(runs) == sorted([[ids[0], ids[3]], [ids[1], ids[5]], [ids[2], ids[4]]])


def test_a_person_links_the_chats_they_write_in():
    # Ann writes in two groups; Ben shares the second with her: all one run, in the batch's order.
    sent = [group_text(ANN, FAMILY, "/paid"), group_text(BEN, NEIGHBOURS, "/paid"), group_text(ANN, NEIGHBOURS, "/x")]
    batch = [Update.de_json(u, None) for u in sent]
    assert [[u.update_id for u in run] for run in independent_runs(batch)] == [[u["update_id"] for u in sent]]
    assert independent_runs([]) == []
