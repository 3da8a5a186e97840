"""What an organizer types after REJECT on WhatsApp: which payment, and why."""

from __future__ import annotations

from handlers.parsing import reject_reason


def test_a_whatsapp_rejection_reads_its_reason() -> None:
    assert reject_reason("K7P2Q short 300", "KES") == ("K7P2Q", "short", 30000)
    assert reject_reason("K7P2Q SHORT", "KES") == ("K7P2Q", "short", None)
    assert reject_reason("Mama Njeri not received", "KES") == ("Mama Njeri", "not_received", None)
    assert reject_reason("tom other", "KES") == ("tom", "other", None)
    assert reject_reason("K7P2Q", "KES") == ("K7P2Q", None, None)
    assert reject_reason("Shortcake", "KES") == ("Shortcake", None, None)  # a name, not a reason
