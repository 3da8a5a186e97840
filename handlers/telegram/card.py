"""The status card's words: one message per circle in each group chat, edited on every change.

Fits Telegram's 4096 characters at any size: small circles list every member, large ones count them
and name who still owes, up to a limit ("and 12 more").
"""

from __future__ import annotations

from typing import Any

from handlers.formats import day, names
from handlers.i18n import N_, _, money, ngettext
from handlers.telegram.texts import RECORD_CHECK

MAX_TEXT = 4096
LISTED = 30  # members listed one per line up to this size; counted beyond it
NAMED = 25  # names shown in a summary line before "and N more"
MARKS = {"CONFIRMED": "✅", "PENDING": "⏳", "PARTIAL": "🌗", "REJECTED": "❌", None: "▫️"}
# TRANSLATORS: the status card's key to its marks; keep each emoji before its meaning.
LEGEND = N_("✅ confirmed · ⏳ waiting for an organizer · ❌ not confirmed · ▫️ not paid yet · ⭐ received the pot")
# TRANSLATORS: added at the end of the status card's key when someone paid in part; keep the leading " · ".
PARTIAL_LEGEND = N_(" · 🌗 paid in part")  # only on cards that show someone paid in part


def render(p: dict[str, Any]) -> str:
    amount = lambda minor: money(minor, p["currency"])  # noqa: E731
    lines = [_("📌 “{circle}” — where we are", circle=p["circle"])]
    if "cycle_number" in p:
        lines.append(_("Cycle {cycle_number} of {total_cycles}: {money} each, due {due_day}",
                       cycle_number=p["cycle_number"], total_cycles=p["total_cycles"],
                       money=amount(p["amount_per_cycle"]), due_day=day(p["due_date"], p["today"])))
    members = p["members"]
    if len(members) <= LISTED:
        for m in members:
            line = f"{MARKS[m['payment']]} {m['name']}{' ⭐' if m['received'] else ''}"
            # TRANSLATORS: a member's line on the status card: {member} is their mark and name.
            lines.append(_("{member} — short by {short}", member=line, short=amount(m["short"]))
                         if m.get("short") else line)
    else:
        counts = {mark: sum(1 for m in members if m["payment"] == state) for state, mark in MARKS.items()}
        lines.append(" · ".join(f"{mark} {n}" for mark, n in counts.items() if n))
        owing = [_("{name} (short by {short})", name=m["name"], short=amount(m["short"])) if m.get("short")
                 else m["name"] for m in members if m["payment"] != "CONFIRMED"]
        if owing:
            # TRANSLATORS: {names} is a list of members' names.
            lines.append(_("Not confirmed yet: {names}", names=_some(owing)))
    received = [m["name"] for m in members if m["received"]]
    shown = _some(received) if len(members) > LISTED else names(received, most=LISTED)
    # TRANSLATORS: {names} is a list of members' names.
    lines.append(_("⭐ Received the pot: {names}", names=shown) if received else _("⭐ Received the pot: nobody yet"))
    if "cycle_number" in p and p["status"] == "ACTIVE":
        lines.append(_("Collected: {collected} of {expected}", collected=amount(p["collected"]),
                       expected=amount(p["expected"])))
    lines.append("👉 " + next_step(p))
    if p.get("instructions") and p["status"] == "ACTIVE":
        # TRANSLATORS: {instructions} is the organizers' own text (a phone number, an account).
        lines.append(_("💳 How to pay: {instructions}", instructions=p["instructions"]))
    lines.append(str(LEGEND) + (str(PARTIAL_LEGEND) if any(m["payment"] == "PARTIAL" for m in members) else ""))
    text = "\n".join(lines)
    # The footer is the card's last line whatever its size: members keep the latest one they saw.
    footer = "\n" + RECORD_CHECK.format(fingerprint=p["record_check"]) if p.get("record_check") else ""
    room = MAX_TEXT - len(footer)
    return (text if len(text) <= room else text[: room - 1] + "…") + footer


def next_step(p: dict[str, Any]) -> str:
    if p["status"] == "COMPLETED":
        return _("Complete: every member received the pot once. Thank you all!")
    if p["status"] == "CANCELLED":
        return _("This circle was cancelled.")
    if "cycle_number" not in p:
        return _("Waiting for the circle to start.")
    if p["cycle_status"] != "OPEN":
        return _("{winner} receives the pot — waiting for the handover.", winner=p["winner"])
    owing = sum(1 for m in p["members"] if m["payment"] != "CONFIRMED")
    if owing:
        checking = sum(1 for m in p["members"] if m["payment"] == "PENDING")
        if checking:
            # TRANSLATORS: {n} payments are missing; {checking} of them were paid and wait for a confirmation.
            return ngettext("Waiting for {n} payment ({checking} waiting for an organizer to confirm).",
                            "Waiting for {n} payments ({checking} waiting for an organizer to confirm).",
                            owing, checking=checking)
        return ngettext("Waiting for {n} payment.", "Waiting for {n} payments.", owing)
    if p["auto_draw"]:
        # TRANSLATORS: {draw_hour:02d}:00 is the hour of the day, e.g. 18:00.
        return _("Everyone paid — the draw is at {draw_hour:02d}:00 on {due_day}.", draw_hour=p["draw_hour"],
                 due_day=day(p["due_date"], p["today"]))
    return _("Everyone paid — an organizer draws next.")


def _some(people: list[str]) -> str:
    return names(people, most=NAMED)
