"""Draw files on the web, for WhatsApp (which can't carry a file without a public link): each draw's
JSON at PUBLIC_URL/proofs/<commitment>.json and the checker at PUBLIC_URL/verify_draw.py.

The commitment names the file: it is the SHA-256 of a 256-bit secret, so nobody finds a file without
having been shown its commitment (in the circle's own "fair" details), and it names nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from core import verify_draw
from core.proofs import proof_by_commitment
from core.uow import UnitOfWork
from handlers.whatsapp.texts import CHECKER_PATH, PROOFS_PATH

CHECKER = Path(verify_draw.__file__)
_HEX_256 = re.compile(r"[0-9a-f]{64}")


def proof_routes(new_uow: Callable[[], UnitOfWork]) -> list[Route]:
    async def proof(request: Request) -> Response:
        commitment = request.path_params["commitment"]
        found = await proof_by_commitment(new_uow(), commitment) if _HEX_256.fullmatch(commitment) else None
        if found is None:
            return Response("No such draw.", status_code=404)
        return Response(found.json_bytes(), media_type="application/json", headers={
            "Content-Disposition": f'attachment; filename="{found.filename}"', "Cache-Control": "no-store"})

    async def checker(request: Request) -> Response:
        return Response(CHECKER.read_bytes(), media_type="text/x-python; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="verify_draw.py"'})

    return [Route(PROOFS_PATH + "/{commitment}.json", proof), Route(CHECKER_PATH, checker)]
