"""The statement as a PDF: the circle, its schedule, every payment, each draw's fairness details and
the record check, in the language spoken (handlers/i18n.py), right to left where it reads so.

fpdf2 lays it out with fonts that arrive as Python packages (Noto Sans, IBM Plex Sans Arabic, Noto
Sans Ethiopic), so no system font is assumed. Arabic is shaped by HarfBuzz; shaping costs about half a
millisecond a cell, so only cells that need it are shaped (Arabic, combining marks), and text the
main font covers whole is drawn directly: a 200-member circle's 40,000 payments stay seconds, not
minutes (bench/statement.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import cache, lru_cache
from importlib.resources import files
from pathlib import Path
from typing import NamedTuple

from fpdf import FPDF
from fpdf.enums import PDFResourceType

from core import schedule
from core.models import CircleStatus, ContributionStatus, PayoutOrder, Role
from core.statement import Payment, Statement
from handlers import i18n
from handlers.formats import day
from handlers.i18n import _, ngettext
from handlers.statements import STATUSES
from handlers.telegram import texts

MAIN, ARABIC, ETHIOPIC = "NotoSans", "PlexSansArabic", "NotoSansEthiopic"
MARGIN, LINE, SMALL, BODY = 12.0, 5.0, 8.0, 9.5
PAD = 1.2  # inside each cell, so a right-aligned column never touches the next one's text
CLOCK = 11.0  # the width of a time of day ("14:02") after a date in a table
GREY, INK, ACCENT = (110, 110, 110), (20, 20, 20), (20, 90, 140)
_NO_SHAPING_NEEDED = {"L", "EN", "ES", "ET", "CS", "WS", "ON", "B", "S", "BN", "LRE", "LRO", "PDF", "LRI", "PDI", "FSI"}


@cache
def font_files() -> dict[str, Path]:
    """The three fonts, from the packages that carry them (pyproject.toml)."""
    found = {MAIN: _font("fontpkg_noto_sans", "files", "NotoSans["),
             ARABIC: _font("fontpkg_ibm_plex_sans_arabic", "files", "IBMPlexSansArabic-Regular"),
             ETHIOPIC: _font("justmytype_intl_africa", "fonts/ofl/notosansethiopic", "NotoSansEthiopic[")}
    return found


def _font(package: str, folder: str, prefix: str) -> Path:
    where = Path(str(files(package).joinpath(folder)))
    return next(p for p in sorted(where.iterdir()) if p.name.startswith(prefix) and p.suffix == ".ttf")


def needs_shaping(text: str) -> bool:
    """Arabic (joined letters, right to left) or combining marks: HarfBuzz's work. Latin, Ethiopic
    and digits are drawn glyph by glyph."""
    return any(unicodedata.bidirectional(c) not in _NO_SHAPING_NEEDED or unicodedata.combining(c) for c in text)


class Line(NamedTuple):
    font: str | None  # the one font that draws all of it directly; None: through cell()
    shaped: bool
    text: str  # cut to fit
    width: float  # drawn directly: its width


class Page(FPDF):
    """A4 pages with the statement's footer; `put` draws one cell, mirrored when the language reads
    right to left."""

    def __init__(self, footer_text: str) -> None:
        super().__init__(format="A4")
        self.footer_text = footer_text
        self.rtl = i18n.right_to_left()
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        for family, path in font_files().items():
            self.add_font(family, "", path)
        self.set_fallback_fonts([ARABIC, ETHIOPIC], exact_match=False)
        self.set_font(MAIN, size=BODY)
        self.width = self.w - 2 * MARGIN
        self._stamps: dict[tuple, tuple[bytes, float, float, set[int]]] = {}
        self._lines: dict[tuple[str, float, float], Line] = {}
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_font(MAIN, size=SMALL - 1)
        self.set_text_color(*GREY)
        # Through cell(), which fills in the page count ({nb}) once it is known.
        self.set_text_shaping(needs_shaping(self.footer_text), direction="rtl" if self.rtl else "ltr")
        self.set_xy(MARGIN, self.h - MARGIN + 2)
        self.cell(self.width, LINE, _("{footer} · page {page} of {pages}", footer=self.footer_text,
                                      page=self.page_no(), pages="{nb}"), align="C")
        self.set_text_color(*INK)
        self.set_font(MAIN, size=BODY)

    def put(self, x: float, y: float, width: float, text: str, align: str = "L") -> None:
        """`text` in the box at `x` (from the reading side's margin) and `y`, one line high, cut with
        an ellipsis when too wide."""
        if self.rtl:
            x, align = self.width - x - width, {"L": "R", "R": "L"}.get(align, align)
        left, width = MARGIN + x + PAD, width - 2 * PAD
        if not text:
            return
        line = self._lines.get((text, self.font_size_pt, width))
        if line is None:  # the same names, amounts and dates recur thousands of times in a big circle
            line = self._lines[text, self.font_size_pt, width] = self.lay_out(text, width)
        if line.font is None:
            self.stamp((line.text, self.font_size_pt, width, align, self.text_color), left, y,
                       lambda: self.shaped_cell(line.shaped, left, y, width, line.text, align))
            return
        shift = {"L": 0.0, "R": width - line.width, "C": (width - line.width) / 2}[align]
        size = self.font_size_pt
        if line.font != MAIN:
            self.set_font(line.font, size=size)
        # cell() may have left another font (a fallback, another size) set in the page's text state,
        # and text() trusts fpdf2's note that ours is set: have it set ours again.
        self.current_font_is_set_on_page = False
        self.text(left + shift, y + LINE * 0.72, line.text)
        if line.font != MAIN:
            self.set_font(MAIN, size=size)

    def shaped_cell(self, shaped: bool, left: float, y: float, width: float, text: str, align: str) -> None:
        self.set_text_shaping(shaped, direction="rtl" if self.rtl else "ltr")
        self.set_xy(left, y)
        self.cell(width, LINE, text, align=align)

    def stamp(self, key: tuple, left: float, y: float, draw: Callable[[], None]) -> None:
        """`draw()` at (`left`, `y`) the first time; after that, the drawing operators it wrote, moved.
        Shaping through cell() costs half a millisecond, and a big Arabic circle's statement repeats
        the same names and dates tens of thousands of times."""
        known = self._stamps.get(key)
        if known is None:
            page = self.pages[self.page].contents
            start = len(page)
            draw()
            operators = bytes(page[start:])
            self._stamps[key] = (operators, left, y, {int(i) for i in re.findall(rb"/F(\d+) ", operators)})
            return
        operators, x0, y0, fonts = known
        for font in fonts:  # each page lists the fonts it uses
            self._resource_catalog.add(PDFResourceType.FONT, font, self.page)
        # q … Q: the moved copy leaves the graphics state (its font and size included) as it found it.
        self._out(b"q 1 0 0 1 %.2f %.2f cm\n%sQ" % ((left - x0) * self.k, (y0 - y) * self.k, operators))

    def lay_out(self, text: str, width: float) -> Line:
        """How to draw `text` in `width`: directly in the one font that has all its letters, or else
        through fpdf2's cell(), which takes each letter from the font that has it and shapes Arabic."""
        shaped = needs_shaping(text)
        for family in () if shaped else (MAIN, ETHIOPIC):
            font = self.fonts[family.lower()]
            if all(ord(c) in font.cmap for c in text):
                fitted = self.fit(text, width, lambda t: self.plain_width(t, font.cw))
                return Line(family, False, fitted, self.plain_width(fitted, font.cw))
        self.set_text_shaping(shaped, direction="rtl" if self.rtl else "ltr")  # shaping changes widths
        return Line(None, shaped, self.fit(text, width, self.get_string_width), 0.0)

    def plain_width(self, text: str, widths: Mapping[int, float]) -> float:
        """Width of text one font draws alone, from its advance widths: fpdf2's get_string_width
        parses styles and directions first, which made it most of the render time."""
        return sum(widths[ord(c)] for c in text) * self.font_size_pt * 0.001 / self.k

    @staticmethod
    def fit(text: str, width: float, measure: Callable[[str], float]) -> str:
        """`text`, cut with an ellipsis to fit `width`."""
        if measure(text) <= width:
            return text
        short, long = 0, len(text)  # the longest cut that fits lies in [short, long)
        while long - short > 1:
            middle = (short + long) // 2
            short, long = (middle, long) if measure(text[:middle] + "…") <= width else (short, middle)
        return text[:short] + "…"

    def paragraph(self, text: str, size: float = BODY) -> None:
        """Wrapped text across the page, shaped (it is read as prose)."""
        self.set_font(MAIN, size=size)
        self.set_text_shaping(True, direction="rtl" if self.rtl else "ltr")
        self.set_x(MARGIN)
        self.multi_cell(self.width, LINE * size / BODY + 0.4, text, align="R" if self.rtl else "L",
                        new_x="LMARGIN", new_y="NEXT")
        self.set_font(MAIN, size=BODY)

    def room(self, height: float) -> bool:
        """Start a new page unless `height` more fits on this one; True if a page was started."""
        if self.get_y() + height <= self.h - MARGIN - 6:
            return False
        self.add_page()
        return True

    def heading(self, text: str) -> None:
        self.room(4 * LINE)
        self.ln(LINE * 0.6)
        self.set_font(MAIN, size=13)
        self.set_text_color(*ACCENT)
        self.put(0, self.get_y(), self.width, text)
        self.set_draw_color(*ACCENT)
        underline = self.get_y() + LINE + 1.5
        self.line(MARGIN, underline, MARGIN + self.width, underline)
        self.set_text_color(*INK)
        self.set_font(MAIN, size=BODY)
        self.set_y(underline + 1.5)

    def table(self, widths: Sequence[float], header: Sequence[str], rows: Sequence[Sequence[str | Moment]],
              aligns: Sequence[str]) -> None:
        """Rows under a grey header that repeats on each new page."""
        scale = self.width / sum(widths)
        widths = [w * scale for w in widths]
        starts = [sum(widths[:i]) for i in range(len(widths))]

        def header_row() -> None:
            self.set_font(MAIN, size=SMALL)
            self.set_text_color(*GREY)
            y = self.get_y()
            for x, w, text, align in zip(starts, widths, header, aligns):
                self.put(x, y, w, text, align)
            self.set_font(MAIN, size=BODY - 0.5)
            self.set_text_color(*INK)
            self.set_y(y + LINE)

        self.room(3 * LINE)
        header_row()
        for row in rows:
            if self.room(LINE):
                header_row()
            y = self.get_y()
            for x, w, value, align in zip(starts, widths, row, aligns):
                if isinstance(value, Moment):  # the day, then the time: each recurs, together they don't
                    self.put(x, y, w - CLOCK, value.day)
                    self.put(x + w - CLOCK, y, CLOCK, value.time)
                else:
                    self.put(x, y, w, value, align)
            self.set_y(y + LINE)
        self.set_font(MAIN, size=BODY)

    def facts(self, pairs: Sequence[tuple[str, str]]) -> None:
        """Label and value lines ("Amount: KES 500 weekly")."""
        for label, value in pairs:
            self.room(LINE)
            y = self.get_y()
            self.set_text_color(*GREY)
            self.put(0, y, 45, label)
            self.set_text_color(*INK)
            self.put(47, y, self.width - 47, value)
            self.set_y(y + LINE)


def render(statement: Statement) -> bytes:
    """The PDF, in the language spoken."""
    circle, head = statement.circle, statement.head
    check = head.fingerprint or "—"
    pdf = Page(_("“{circle}” · record check {check}", circle=circle.name, check=check))
    pdf.add_page()
    today = schedule.local_date(statement.printed_at, circle.timezone)
    title(pdf, statement, today, check)
    the_circle(pdf, statement, today)
    members(pdf, statement)
    schedule_table(pdf, statement, today)
    payments(pdf, statement, today)
    draws(pdf, statement)
    record_check(pdf, statement, check)
    return bytes(pdf.output())


def title(pdf: Page, statement: Statement, today: date, check: str) -> None:
    pdf.set_font(MAIN, size=18)
    pdf.put(0, pdf.get_y(), pdf.width, _("Statement of “{circle}”", circle=statement.circle.name))
    pdf.set_y(pdf.get_y() + 9)
    pdf.set_font(MAIN, size=SMALL + 0.5)
    pdf.set_text_color(*GREY)
    printed = " ".join(moment(statement.printed_at, statement.circle.timezone, today))
    pdf.put(0, pdf.get_y(), pdf.width, _("Printed {when} · the record then held {count} entries · record check {check}",
                                          when=printed, count=statement.head.count, check=check))
    pdf.set_text_color(*INK)
    pdf.set_y(pdf.get_y() + LINE)


def the_circle(pdf: Page, statement: Statement, today: date) -> None:
    circle, summary = statement.circle, statement.summary
    organizers = [m.full_name for m in summary.members if m.role == Role.ORGANIZER]
    pdf.heading(_("The circle"))
    pdf.facts([
        (_("Amount"), f"{texts.money(circle, circle.amount_per_cycle)} {texts.frequency(circle)}"),
        (_("Members"), _("{members} of {total}", members=len(summary.members), total=circle.total_members)),
        (_("Organizers"), ", ".join(organizers) or "—"),
        (_("Status"), str(texts.CIRCLE_STATUS[circle.status])),
        (_("First due date"), day(circle.first_due_date, today)),
        (_("Payout order"), str(texts.ORDER_NAMES[circle.payout_order])),
        (_("Time zone"), circle.timezone),
        (_("Paid out so far"), texts.money(circle, summary.paid_out_total)),
    ])
    if summary.cycle is not None:
        pdf.facts([(_("This cycle"), _("{confirmed} of {expected} confirmed (cycle {number})",
                                       confirmed=texts.money(circle, summary.confirmed_this_cycle),
                                       expected=texts.money(circle, summary.expected_this_cycle),
                                       number=summary.cycle.cycle_number))])
    if circle.payment_instructions:
        pdf.set_text_color(*GREY)
        pdf.put(0, pdf.get_y(), pdf.width, _("How to pay"))
        pdf.set_text_color(*INK)
        pdf.set_y(pdf.get_y() + LINE)
        pdf.paragraph(circle.payment_instructions)


def members(pdf: Page, statement: Statement) -> None:
    pdf.heading(_("Members"))
    roles = {Role.ORGANIZER: _("organizer"), Role.MEMBER: _("member")}
    rows = [(m.full_name, statement.phones.get(m.user_id, ""), roles[m.role],
             str(m.received_in_cycle) if m.received_in_cycle else "—") for m in statement.summary.members]
    pdf.table((60, 35, 30, 35), (_("Name"), _("Phone"), _("Role"), _("Received in cycle")), rows, "LLLR")


def schedule_table(pdf: Page, statement: Statement, today: date) -> None:
    circle = statement.circle
    pdf.heading(_("Schedule"))
    names = {m.user_id: m.full_name for m in statement.summary.members}
    opened = {c.cycle_number: c for c in statement.cycles}
    last = circle.total_members if circle.status in (CircleStatus.FORMING, CircleStatus.ACTIVE) else len(opened)
    pot = circle.amount_per_cycle * circle.total_members
    yes, no = _("yes"), _("no")
    rows = []
    for number in range(1, max(last, len(opened)) + 1):
        c = opened.get(number)
        due = c.due_date if c else schedule.due_date(circle.first_due_date, circle.frequency, circle.every_days,
                                                     number)
        receiver = c.winner_name if c and c.winner_name else names.get(statement.positions.get(number), "—")
        paid = texts.money(circle, c.payout_amount) if c and c.payout_amount is not None else "—"
        acknowledged = (yes if c.acknowledged else no) if c and c.payout_amount is not None else "—"
        rows.append((str(number), day(due, today), receiver, texts.money(circle, pot), paid, acknowledged))
    pdf.table((14, 30, 50, 30, 30, 26), (_("Cycle"), _("Due"), _("Receiver"), _("Pot"), _("Paid out"),
                                         _("Acknowledged")), rows, "RLLRRL")


def payments(pdf: Page, statement: Statement, today: date) -> None:
    circle = statement.circle
    pdf.heading(_("Payments, cycle by cycle"))
    by_cycle: dict[int, list[Payment]] = {}
    for p in statement.payments:
        by_cycle.setdefault(p.cycle_number, []).append(p)
    header = (_("Member"), _("Amount"), _("Marked paid"), _("Decided by"), _("Decided"), _("Note"))
    for c in statement.cycles:
        pdf.room(3 * LINE)
        pdf.ln(1)
        pdf.set_font(MAIN, size=BODY + 0.5)
        pdf.set_text_color(*ACCENT)
        paid = by_cycle.get(c.cycle_number, [])
        pdf.put(0, pdf.get_y(), pdf.width, _("Cycle {number} · due {due} · {count}", number=c.cycle_number,
                                              due=day(c.due_date, today),
                                              count=ngettext("{n} payment", "{n} payments", len(paid))))
        pdf.set_text_color(*INK)
        pdf.set_y(pdf.get_y() + LINE)
        if not paid:
            continue
        # What was confirmed of a payment (a short one's top-ups included); a claim still undecided, as claimed.
        rows = [(p.member, texts.money(circle, p.confirmed or p.amount), moment(p.marked_at, circle.timezone, today),
                 p.decided_by or "—", moment(p.decided_at, circle.timezone, today) if p.decided_at else "",
                 note(p, circle)) for p in paid]
        pdf.table((40, 22, 36, 30, 36, 22), header, rows, "LRLLLL")


def note(p: Payment, circle) -> str:
    parts = [] if p.status == ContributionStatus.CONFIRMED else [str(STATUSES[p.status])]
    if p.short:
        parts.append(_("short by {money}", money=texts.money(circle, p.short)))
    if p.late:
        parts.append(_("late"))
    return ", ".join(parts)


def draws(pdf: Page, statement: Statement) -> None:
    circle = statement.circle
    pdf.heading(_("Fair draws"))
    pdf.paragraph(_(
        "Before each draw the bot showed a commitment: the SHA-256 fingerprint of a secret seed. After the "
        "draw it revealed the seed. Anyone can check that the seed matches the commitment and that the seed, "
        "mixed with the public random number of the round named (where there is one), picks the receiver "
        "from the members listed as eligible, sorted. The checker verify_draw.py does it in one step: ask "
        "for a draw's file with /verify N on Telegram or VERIFY N on WhatsApp."), size=SMALL + 0.5)
    if circle.payout_order == PayoutOrder.DRAWN_AT_START:
        pdf.facts([(_("Order commitment"), circle.order_commitment or "—"),
                   (_("Order seed"), circle.order_seed or _("revealed when the circle starts"))])
    pdf.set_font(MAIN, size=SMALL)
    for c in statement.cycles:
        pdf.room(4 * LINE)
        pdf.ln(1)
        pdf.set_text_color(*ACCENT)
        eligible = ngettext("{n} eligible member", "{n} eligible members", len(c.eligible_ids))
        pdf.put(0, pdf.get_y(), pdf.width, _("Cycle {number}: {eligible}", number=c.cycle_number, eligible=eligible))
        pdf.set_text_color(*INK)
        pdf.set_y(pdf.get_y() + LINE)
        beacon = (_("round {round}: {value}", round=c.beacon_round, value=c.beacon_value) if c.beacon_value else
                  _("round {round}, not used (drawn from the seed alone)", round=c.beacon_round)
                  if c.beacon_round and c.seed else
                  _("round {round}", round=c.beacon_round) if c.beacon_round else _("none"))
        pdf.facts([(_("Commitment"), c.seed_commitment), (_("Seed"), c.seed or _("not drawn yet")),
                   (_("Public random number"), beacon)])
    pdf.set_font(MAIN, size=BODY)


def record_check(pdf: Page, statement: Statement, check: str) -> None:
    pdf.heading(_("Record check"))
    pdf.paragraph(_(
        "Every change to this circle is written to a chained record, each entry sealed with the one before. "
        "When this statement was printed the record held {count} entries and its record check was {check}. "
        "Keep this page: whoever runs the bot can confirm at any time that the record still leads to this "
        "check, so nothing printed here was changed or removed since, with: "
        "python -m bot audit {code} --head {check}", count=statement.head.count, check=check,
        code=statement.circle.join_code))


class Moment(NamedTuple):
    """A day and a time of day, shown as one ('Sat 5 Dec 14:02') but drawn as two."""

    day: str
    time: str


def moment(when: datetime, timezone: str, today: date) -> Moment:
    """When something happened, on the circle's clock."""
    at = schedule.local_time(when, timezone)
    return Moment(_day(at.date(), today, i18n.current()), f"{at:%H:%M}")


@lru_cache(maxsize=4096)
def _day(when: date, today: date, language: str) -> str:
    """formats.day, remembered: a big circle's 40,000 payments fall on a few hundred days."""
    return day(when, today)

