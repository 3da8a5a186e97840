"""The embedded PostgreSQL as an operator meets it: real `python -m bot` processes on one data folder,
no DATABASE_URL. Every command leaves no server behind, a bot killed with SIGKILL included, and a second
bot on the same folder refuses in one line. Each test starts real servers: a few seconds apiece."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import psutil

from tests.channels.fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parents[2]


def servers_on(data_dir: Path) -> list[psutil.Process]:
    """The postgres processes working on data_dir's database (postgres works in its data directory)."""
    pgdata = str((data_dir / "postgres").resolve())
    return [process for process in psutil.process_iter(["name", "cwd"])
            if process.info["name"] == "postgres" and process.info["cwd"] == pgdata]


async def bot(data_dir: Path, *args: str, telegram: FakeTelegram | None = None) -> asyncio.subprocess.Process:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONPATH": str(ROOT), "HOME": str(data_dir.parent),
           "ROSCA_DATA_DIR": str(data_dir), "LOG_LEVEL": "WARNING"}
    if telegram:
        env |= {"TELEGRAM_BOT_TOKEN": FakeTelegram.TOKEN, "TELEGRAM_RATE_LIMIT": "off",
                "TELEGRAM_API_URL": telegram.base_url.removesuffix("/bot")}
    return await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", *args, cwd=data_dir.parent, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)


async def finished(process: asyncio.subprocess.Process, timeout: float = 60) -> tuple[int, str, str]:
    try:
        out, err = await asyncio.wait_for(process.communicate(), timeout)
    except TimeoutError:
        process.kill()
        out, err = await process.communicate()
        raise AssertionError(f"still running after {timeout} s:\n{err.decode()[-2000:]}") from None
    return process.returncode, out.decode(), err.decode()


async def polling(telegram: FakeTelegram, process: asyncio.subprocess.Process) -> None:
    async with asyncio.timeout(60):
        while not any(call.method == "getUpdates" for call in telegram.calls):
            assert process.returncode is None, (await process.communicate())[1].decode()[-2000:]
            await asyncio.sleep(0.1)


async def test_after_a_bot_is_killed_the_next_command_stops_the_server_it_left(tmp_path):
    data = tmp_path / "data"
    async with FakeTelegram() as telegram:
        killed = await bot(data, telegram=telegram)
        await polling(telegram, killed)
        killed.kill()
        await killed.wait()
    assert servers_on(data)  # orphaned: nobody is left to stop it

    assert (await finished(await bot(data, "migrate")))[0] == 0
    assert servers_on(data) == []
    code, out, err = await finished(await bot(data, "audit"))
    assert (code, out) == (0, "no circles yet\n"), err
    assert servers_on(data) == []


async def test_a_second_bot_on_the_same_data_folder_refuses_in_one_line(tmp_path):
    data = tmp_path / "data"
    async with FakeTelegram() as telegram:
        first = await bot(data, telegram=telegram)
        await polling(telegram, first)

        code, _, err = await finished(await bot(data, telegram=telegram), timeout=30)
        assert code == 2
        assert err.splitlines() == [f"rosca-bot: another bot (process {first.pid}) is running on the data folder "
                                    f"{data}: stop it first, or give this one its own ROSCA_DATA_DIR"]

        code, out, err = await finished(await bot(data, "audit"))  # a command alongside the bot is fine
        assert (code, out) == (0, "no circles yet\n"), err
        assert servers_on(data)  # and it leaves the bot's server running

        first.terminate()
        code, _, err = await finished(first)
        assert code == 0, err[-2000:]
    assert servers_on(data) == []
