"""The status card's words: one message per circle in each group chat, edited on every change.

Fits Telegram's 4096 characters at any size: small circles list every member, large ones count them
and name who still owes, up to a limit ("and 12 more").
"""

from __future__ import annotations

from typing import Any

from core.money import format_amount
from handlers.formats import day, names
from handlers.telegram.texts import RECORD_CHECK

MAX_TEXT = 4096
LISTED = 30  # members listed one per line up to this size; counted beyond it
NAMED = 25  # names shown in a summary line before "and N more"
MARKS = {"CONFIRMED": "✅", "PENDING": "⏳", "PARTIAL": "🌗", "REJECTED": "❌", None: "▫️"}
LEGEND = "✅ confirmed · ⏳ waiting for an organizer · ❌ not confirmed · ▫️ not paid yet · ⭐ received the pot"
PARTIAL_LEGEND = " · 🌗 paid in part"  # only on cards that show someone paid in part


def render(p: dict[str, Any]) -> str:
    money = lambda minor: format_amount(minor, p["currency"])  # noqa: E731
    lines = [f"📌 “{p['circle']}” — where we are"]
    if "cycle_number" in p:
        lines.append(f"Cycle {p['cycle_number']} of {p['total_cycles']}: {money(p['amount_per_cycle'])} each, "
                     f"due {day(p['due_date'], p['today'])}")
    members = p["members"]
    if len(members) <= LISTED:
        lines += [f"{MARKS[m['payment']]} {m['name']}{' ⭐' if m['received'] else ''}"
                  + (f" — short by {money(m['short'])}" if m.get("short") else "") for m in members]
    else:
        counts = {mark: sum(1 for m in members if m["payment"] == state) for state, mark in MARKS.items()}
        lines.append(" · ".join(f"{mark} {n}" for mark, n in counts.items() if n))
        owing = [m["name"] + (f" (short by {money(m['short'])})" if m.get("short") else "")
                 for m in members if m["payment"] != "CONFIRMED"]
        if owing:
            lines.append("Not confirmed yet: " + _some(owing))
        received = [m["name"] for m in members if m["received"]]
        lines.append(f"⭐ Received the pot: {_some(received) if received else 'nobody yet'}")
    if len(members) <= LISTED:
        received = [m["name"] for m in members if m["received"]]
        lines.append(f"⭐ Received the pot: {', '.join(received) if received else 'nobody yet'}")
    if "cycle_number" in p and p["status"] == "ACTIVE":
        lines.append(f"Collected: {money(p['collected'])} of {money(p['expected'])}")
    lines.append("👉 " + next_step(p))
    if p.get("instructions") and p["status"] == "ACTIVE":
        lines.append(f"💳 How to pay: {p['instructions']}")
    lines.append(LEGEND + (PARTIAL_LEGEND if any(m["payment"] == "PARTIAL" for m in members) else ""))
    text = "\n".join(lines)
    # The footer is the card's last line whatever its size: members keep the latest one they saw.
    footer = "\n" + RECORD_CHECK.format(fingerprint=p["record_check"]) if p.get("record_check") else ""
    room = MAX_TEXT - len(footer)
    return (text if len(text) <= room else text[: room - 1] + "…") + footer


def next_step(p: dict[str, Any]) -> str:
    if p["status"] == "COMPLETED":
        return "Complete: every member received the pot once. Thank you all!"
    if p["status"] == "CANCELLED":
        return "This circle was cancelled."
    if "cycle_number" not in p:
        return "Waiting for the circle to start."
    if p["cycle_status"] != "OPEN":
        return f"{p['winner']} receives the pot — waiting for the handover."
    owing = sum(1 for m in p["members"] if m["payment"] != "CONFIRMED")
    if owing:
        checking = sum(1 for m in p["members"] if m["payment"] == "PENDING")
        also = f" ({checking} waiting for an organizer to confirm)" if checking else ""
        return f"Waiting for {owing} payment{'s' if owing > 1 else ''}{also}."
    if p["auto_draw"]:
        return f"Everyone paid — the draw is at {p['draw_hour']:02d}:00 on {day(p['due_date'], p['today'])}."
    return "Everyone paid — an organizer draws next."


def _some(people: list[str]) -> str:
    return names(people, most=NAMED)
