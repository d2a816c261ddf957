"""The serving side never imports the build side: a server process never loads owlrl, pySHACL or the build code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

CHECK = """
import pkgutil, sys
import montagne_kg.serving
from montagne_kg.serving import create_app
from montagne_kg.serving.settings import Settings
for module in pkgutil.iter_modules(montagne_kg.serving.__path__):
    __import__(f"montagne_kg.serving.{module.name}")
app = create_app({"SETTINGS": Settings(build_dir=__import__("pathlib").Path(sys.argv[1]))})
app.test_client().get("/sparql?query=ASK%7B%7D")
app.extensions["kg"].close()
loaded = sorted(m for m in sys.modules
                if m.split(".")[0] in ("owlrl", "pyshacl", "spacy") or m.startswith("montagne_kg.building"))
print(" ".join(loaded))
"""


def test_serving_never_imports_the_build_side(build_dir: Path) -> None:
    done = subprocess.run([sys.executable, "-c", CHECK, str(build_dir.parent)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT, check=True)
    assert done.stdout.strip() == "", f"the serving side loaded {done.stdout.strip()}"
