"""Polling's stop has a deadline: a shutdown that hangs ends the process after SHUTDOWN_SECONDS, with
every thread's stack on stderr; one that finishes in time exits at once, not waiting for the timer."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
STOP_THEN = """
import asyncio, logging, time
from bot import polling
logging.basicConfig()
polling.SHUTDOWN_SECONDS = 0.5

async def main():
    stop = asyncio.Event()
    polling._stopping(stop)  # what SIGTERM does
    polling._stopping(stop)  # a second signal starts no second timer
    assert stop.is_set()
    if {hang}:
        time.sleep(30)  # a shutdown stuck where the loop can't help it

asyncio.run(main())
"""


def run(hang: bool) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", STOP_THEN.format(hang=hang)], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    return done, time.monotonic() - started


def test_a_hung_shutdown_exits_after_the_deadline_saying_where_it_stood():
    done, took = run(hang=True)
    assert done.returncode == 1 and took < 20, (done.returncode, took)
    assert "exiting anyway" in done.stderr  # the log line, then each thread's stack down to the stuck line
    assert "Thread" in done.stderr and 'File "<string>"' in done.stderr, done.stderr


def test_a_shutdown_in_time_exits_at_once():
    done, took = run(hang=False)
    assert done.returncode == 0 and "exiting anyway" not in done.stderr, done.stderr
    assert took < 10
