"""A circle's statement as files a family keeps: the PDF of the whole record and a spreadsheet (CSV)
of every payment, both in the circle's language, both from core/statement.py's one snapshot.

Rendering is CPU work (seconds for a 200-member circle that ran 200 cycles). It runs in a worker
process, one statement at a time: in a thread it would share the interpreter's lock with the chats,
and every other family's reply would wait on it (bench/statement.py measures both). The same record
in the same language is rendered once (WhatsApp's media fetch asks twice, HEAD then GET).
"""

from __future__ import annotations

import asyncio
import csv
import io
import multiprocessing
import re
import unicodedata
from collections import OrderedDict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime

from core.money import currency_exponent
from core.schedule import local_time
from core.statement import Statement
from handlers import i18n
from handlers.i18n import N_, _
from handlers.telegram import texts

PDF, CSV = "pdf", "csv"
CONTENT_TYPES = {PDF: "application/pdf", CSV: "text/csv; charset=utf-8"}
_CACHED = 8  # statements kept rendered (a few MB at most for the largest circle)


@dataclass(frozen=True)
class Document:
    filename: str
    content_type: str
    data: bytes


_rendered: OrderedDict[tuple, bytes] = OrderedDict()  # by circle, record check, language and kind
_renderer: ProcessPoolExecutor | None = None


async def document(statement: Statement, kind: str) -> Document:
    """The statement as a PDF or CSV file, in the circle's language."""
    language = i18n.best(statement.circle.language)
    key = (statement.circle.id, statement.head.fingerprint, language, kind)
    data = _rendered.get(key)
    if data is None:
        data = _rendered[key] = await _in_worker(statement, kind, language)
        while len(_rendered) > _CACHED:
            _rendered.popitem(last=False)
    _rendered.move_to_end(key)
    return Document(filename(statement, kind), CONTENT_TYPES[kind], data)


async def _in_worker(statement: Statement, kind: str, language: str) -> bytes:
    global _renderer
    if _renderer is None:  # started on the first statement, not with the bot; "spawn": no copy of our threads
        _renderer = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    try:
        return await asyncio.get_running_loop().run_in_executor(_renderer, _render, statement, kind, language)
    except BrokenProcessPool:  # the worker died (killed for memory, say): the next statement starts another
        _renderer = None
        raise


def _render(statement: Statement, kind: str, language: str) -> bytes:
    with i18n.speaking(language):
        if kind == PDF:
            from handlers import statement_pdf  # fonts and fpdf2 load on the first statement, not at start

            return statement_pdf.render(statement)
        return spreadsheet(statement)


def filename(statement: Statement, kind: str, *, short: bool = False) -> str:
    """'family-circle-2026-12-03.pdf': short, ASCII, no spaces (WhatsApp shows it as sent). `short`: at
    most 20 characters, 'family-20261203.pdf', as Twilio asks of a WhatsApp document's name."""
    plain = unicodedata.normalize("NFKD", statement.circle.name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", plain).strip("-").lower()[:7 if short else 24].strip("-") or "circle"
    day = f"{statement.printed_at:%Y%m%d}" if short else f"{statement.printed_at:%Y-%m-%d}"
    return f"{slug}-{day}.{kind}"


# TRANSLATORS: the spreadsheet's column headings (a CSV file of every payment of a circle)
COLUMNS = (N_("cycle"), N_("due date"), N_("member"), N_("amount"), N_("confirmed"), N_("currency"), N_("status"),
           N_("marked at"), N_("decided by"), N_("decided at"), N_("short by"), N_("late"))
# A payment's status in a record: the chat's words, but "confirmed in part" where the chat says "paid in part".
STATUSES = {**texts.STATUS_WORDS, "PARTIAL": N_("confirmed in part")}


def spreadsheet(statement: Statement) -> bytes:
    """Every payment, one row each; amounts as plain decimal numbers (a spreadsheet adds them up),
    times in the circle's time zone. UTF-8 with a byte-order mark, so spreadsheet programs read
    Amharic and Arabic names right."""
    circle = statement.circle
    due = {c.cycle_number: c.due_date for c in statement.cycles}
    exponent = currency_exponent(circle.currency)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(column) for column in COLUMNS])
    yes, no = _("yes"), _("no")
    for p in statement.payments:
        writer.writerow([p.cycle_number, due[p.cycle_number].isoformat(), p.member, decimal(p.amount, exponent),
                         decimal(p.confirmed, exponent), circle.currency, str(STATUSES[p.status]),
                         sheet_time(p.marked_at, circle.timezone), p.decided_by or "",
                         sheet_time(p.decided_at, circle.timezone) if p.decided_at else "",
                         decimal(p.short, exponent) if p.short else "", yes if p.late else no])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def decimal(minor: int, exponent: int) -> str:
    """Minor units as a decimal number in major units ('1234.50'), integers all the way."""
    if not exponent:
        return str(minor)
    sign, whole = ("-" if minor < 0 else ""), abs(minor)
    return f"{sign}{whole // 10 ** exponent}.{whole % 10 ** exponent:0{exponent}d}"


def sheet_time(when: datetime, timezone: str) -> str:
    """'2026-12-05 14:02' on the circle's clock: how a spreadsheet sorts and reads a time."""
    return f"{local_time(when, timezone):%Y-%m-%d %H:%M}"

