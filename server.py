"""`python server.py [serve flags]` does what `montagne-kg serve` does: serve the newest build under gunicorn."""

import sys
from pathlib import Path

from montagne_kg.cli import main

ROOT = Path(__file__).parent

if __name__ == "__main__":
    sys.exit(main(["--root", str(ROOT), "serve", *sys.argv[1:]]))
