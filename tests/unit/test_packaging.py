"""The deployment files agree with each other and with pyproject.toml.

No Docker daemon is needed: the Dockerfile is read instruction by instruction, and what is checked is
what a container run depends on (the data folder exists, owned by the bot's user, before VOLUME).
"""

from __future__ import annotations

import fnmatch
import re
import shlex
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
SECRETS = ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN",
           "DATABASE_URL")


def dockerfile() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in lines
            if line and not line.startswith("#")]


def index(instructions, name: str, predicate=lambda args: True) -> int:
    found = [i for i, (op, args) in enumerate(instructions) if op == name and predicate(args)]
    assert found, f"no {name} instruction matching in the Dockerfile"
    return found[-1]


def env_values(instructions) -> dict[str, str]:
    values = {}
    for op, args in instructions:
        if op == "ENV":
            values.update(word.split("=", 1) for word in shlex.split(args))
    return values


def test_the_data_folder_exists_owned_by_the_bot_user_before_the_volume():
    instructions = dockerfile()
    data = env_values(instructions)["ROSCA_DATA_DIR"]
    volume = index(instructions, "VOLUME")
    assert data in instructions[volume][1]
    created = index(instructions, "RUN", lambda args: re.search(rf"mkdir -p {re.escape(data)}(\s|$)", args))
    owned = index(instructions, "RUN", lambda args: re.search(rf"chown rosca:rosca {re.escape(data)}(\s|$)", args))
    assert created <= owned < volume


def test_the_bot_runs_as_a_non_root_user_with_a_fixed_uid():
    instructions = dockerfile()
    users = [args for op, args in instructions if op == "USER"]
    assert users and users[-1] == "rosca"
    assert index(instructions, "USER") < index(instructions, "ENTRYPOINT")
    assert "--uid 1000" in instructions[index(instructions, "RUN", lambda args: "useradd" in args)][1]


def test_the_exposed_port_is_the_port_serve_listens_on():
    instructions = dockerfile()
    assert instructions[index(instructions, "EXPOSE")][1] == env_values(instructions)["PORT"]


def test_no_secret_is_baked_into_the_image():
    instructions = dockerfile()
    for op, args in instructions:
        if op in ("ENV", "ARG"):
            assert not any(secret in args for secret in SECRETS), args
    ignored = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")]

    def excluded(path: str) -> bool:
        result = False
        for pattern in ignored:  # later lines win, `!` re-includes, as Docker reads the file
            negate = pattern.startswith("!")
            if fnmatch.fnmatch(path, pattern.lstrip("!")) or fnmatch.fnmatch(path, "**/" + pattern.lstrip("!")):
                result = not negate
        return result

    for path in (".env", ".env.production", ".git", ".venv", "data", ".pytest_cache", ".hypothesis"):
        assert excluded(path), f"{path} would be copied into the image"
    assert not excluded("pyproject.toml") and not excluded("migrations")


def test_requirements_txt_installs_the_project_itself():
    """Buildpacks install requirements.txt; `-e .` makes that exactly pyproject's dependencies."""
    lines = [line.strip() for line in (ROOT / "requirements.txt").read_text().splitlines()
             if line.strip() and not line.strip().startswith("#")]
    assert lines == ["-e ."]
    assert PYPROJECT["project"]["dependencies"]


def test_the_image_python_is_one_pyproject_accepts_and_no_folder_pins_one():
    # No .python-version: pyenv would then refuse `python3` in this folder to a newcomer without that
    # exact version, breaking the README's commands; buildpacks' default Pythons are newer than 3.11.
    assert not (ROOT / ".python-version").exists() and not (ROOT / "runtime.txt").exists()
    instructions = dockerfile()
    image = re.match(r"python:(\d+)\.(\d+)-", instructions[index(instructions, "FROM")][1])
    minimum = PYPROJECT["project"]["requires-python"].removeprefix(">=")
    assert (int(image[1]), int(image[2])) >= tuple(map(int, minimum.split(".")))
