"""A Sanic app served over real HTTP from a thread of the test process (no Rasa, no model).

For probes of the console, the live-chat API, the REST channel and Rasa's CORS set-up that
need real requests and headers but not the NLU: seconds instead of a server pair's minutes.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from contextlib import contextmanager
from typing import Iterator

from sanic import Sanic


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(app: Sanic) -> Iterator[str]:
    """Serve `app` on a free port; yields its base URL ("http://127.0.0.1:PORT")."""
    port = _free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    state: dict = {}

    async def start() -> None:
        server = await app.create_server(
            host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
        )
        assert server is not None
        await server.startup()
        await server.before_start()
        await server.after_start()
        await server.start_serving()
        state["server"] = server

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        except BaseException as error:  # noqa: BLE001 (reported to the test)
            state["error"] = error
            ready.set()
            return
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    ready.wait(30)
    if "error" in state:
        raise state["error"]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:

        async def stop() -> None:
            server = state["server"]
            await server.before_stop()
            server.close()
            await server.wait_closed()
            await server.after_stop()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
