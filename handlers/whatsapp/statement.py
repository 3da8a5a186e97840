"""STATEMENT on WhatsApp: the circle's statement as a PDF, sent as a media message; STATEMENT CSV: a link to
the spreadsheet of every payment (WhatsApp can't carry a CSV file). STATEMENT <code> names the circle, a
finished one too.

The files are on the web behind signed links that expire (bot/statement_links.py); a link is made only
after core found the sender a member. `talk` is the commands module's Conversation.
"""

from __future__ import annotations

from core import errors
from core.circles import circle_by_code
from core.outbox import Attachment
from core.statement import circle_statement
from handlers.statements import CSV, PDF
from handlers.whatsapp import texts
from handlers.whatsapp.texts import say


async def cmd_statement(talk) -> list[str | Attachment]:
    if talk.statement_link is None:  # no PUBLIC_URL: nowhere for Twilio or a browser to fetch the file
        return [str(texts.STATEMENT_NO_ADDRESS)]
    words = talk.args.upper().split()
    kind = CSV if CSV.upper() in words else PDF
    codes = [word for word in words if word not in (CSV.upper(), PDF.upper())]
    if codes:
        try:
            circle = await circle_by_code(talk.new_uow(), codes[0])
        except errors.CircleNotFound:
            return [texts.NO_SUCH_CODE.format(code=codes[0][:12])]
    else:
        circle = await talk.circle(finished=True)
    statement = await circle_statement(talk.new_uow(), circle.id, actor=talk.user.id)  # NotMember: no link
    url = talk.statement_link(circle.id, kind)
    if kind == CSV:
        return [say(texts.STATEMENT_CSV, circle=circle.name, link=url)]
    # The words go first, on their own: WhatsApp shows a document without the text sent with it.
    return [say(texts.STATEMENT_PDF, circle=circle.name, fingerprint=statement.head.fingerprint), Attachment("", url)]
