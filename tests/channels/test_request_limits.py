"""A huge POST, signed or not, is refused (413) before the server reads more than it allows: by its
declared Content-Length at once, or by counting a streamed (chunked) body as it arrives. The server
process's memory stays flat while 64 MiB are thrown at each webhook."""

from __future__ import annotations

import asyncio

from tests.channels.served import WEBHOOK_SECRET, served

MIB = 1024 * 1024
FLOOD = 64 * MIB
CHUNK = 64 * 1024
ROUTES = {"/whatsapp/webhook": {}, "/whatsapp/status": {},
          "/telegram/webhook": {"X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}}


async def flood(port: int, path: str, headers: dict[str, str], *, chunked: bool) -> int:
    """POST FLOOD bytes, made one chunk at a time as the server takes them (nothing is allocated up
    front); returns the status the server answered with, as soon as it answers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    framing = {"Transfer-Encoding": "chunked"} if chunked else {"Content-Length": str(FLOOD)}
    head = {"Host": f"127.0.0.1:{port}", "Content-Type": "application/x-www-form-urlencoded", **framing, **headers}
    writer.write(f"POST {path} HTTP/1.1\r\n".encode() + b"".join(f"{k}: {v}\r\n".encode() for k, v in head.items())
                 + b"\r\n")

    async def send() -> None:
        piece = b"a" * CHUNK
        for _ in range(FLOOD // CHUNK):
            writer.write(b"%x\r\n%s\r\n" % (CHUNK, piece) if chunked else piece)
            await writer.drain()
        writer.write(b"0\r\n\r\n" if chunked else b"")
        await writer.drain()

    sending = asyncio.create_task(send())
    try:
        status_line = await asyncio.wait_for(reader.readline(), timeout=60)
    finally:
        sending.cancel()
        await asyncio.gather(sending, return_exceptions=True)  # the server may have closed on us
        writer.close()
    return int(status_line.split()[1])


async def test_oversized_bodies_are_refused_before_they_are_read(fake_telegram, fake_twilio, clean_database,
                                                                 tmp_path):
    async with served(fake_telegram, fake_twilio, clean_database, tmp_path) as server:
        before = server.memory_kib("VmHWM")
        for path, headers in ROUTES.items():
            for chunked in (True, False):
                assert await flood(server.port, path, headers, chunked=chunked) == 413, (path, chunked)
        growth = server.memory_kib("VmHWM") - before
    # Reading one of them whole costs 64 MiB at least (twice that while it is joined).
    assert growth < 16 * 1024, f"the server's peak memory grew by {growth // 1024} MiB"
