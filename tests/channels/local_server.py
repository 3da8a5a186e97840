"""A Starlette app served by uvicorn on 127.0.0.1 inside the test's event loop (the fake APIs)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Self

import uvicorn
from starlette.applications import Starlette
from starlette.routing import Route


class LocalServer:
    def __init__(self) -> None:
        self._server: uvicorn.Server | None = None
        self._task: asyncio.Task | None = None
        self._port = 0
        # Called with each request's path as it arrives, while the bot awaits the answer: a test
        # looks at the bot's state at that moment (tests/channels/test_no_connection_across_calls.py).
        self.observer: Callable[[str], None] | None = None

    def routes(self) -> list[Route]:
        raise NotImplementedError

    def _before_stop(self) -> None:
        """Release anything that holds a request open, so stopping is quick."""

    async def start(self) -> None:
        app = Starlette(routes=self.routes())

        async def observed(scope, receive, send):
            if scope["type"] == "http" and self.observer is not None:
                self.observer(scope["path"])
            await app(scope, receive, send)

        config = uvicorn.Config(observed, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()  # surfaces why the server could not start
            await asyncio.sleep(0.005)
        self._port = self._server.servers[0].sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        self._before_stop()
        await self._task
        self._server = self._task = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
