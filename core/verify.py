"""`python -m core.verify ...`: the standalone checker, run from the bot's source folder.

Everything lives in core/verify_draw.py, the single file families can run without the bot (the bot
sends it); see its docstring for the arguments and the JSON file form.
"""

from __future__ import annotations

import sys

from core.verify_draw import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
