"""The command line imports lazily: starting it (and every ``--help``) imports typer, rich and
microlend's light modules, never the data stack, the models or the servers, which cost each
command seconds when imported at the top (issue 14, item 2). A fresh interpreter checks it: the
test process has imported them all already."""

from __future__ import annotations

import json
import subprocess
import sys

#: Each of these takes a tenth of a second to seconds to import; a command imports what it uses.
HEAVY = (
    "duckdb",
    "fastapi",
    "ibis",
    "lightgbm",
    "matplotlib",
    "numpy",
    "pandas",
    "pyarrow",
    "pyspark",
    "scipy",
    "sklearn",
    "sqlalchemy",
    "uvicorn",
)

_LOADED = (
    "import json, sys\n"
    "import microlend.cli\n"
    "print(json.dumps(sorted({name.split('.')[0] for name in sys.modules})))\n"
)


def test_importing_the_command_line_imports_no_heavy_package() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", _LOADED], check=True, capture_output=True, text=True
    )
    loaded = set(json.loads(shown.stdout))
    assert "typer" in loaded
    assert sorted(loaded.intersection(HEAVY)) == []


def test_the_model_card_imports_neither_the_pages_nor_the_plots() -> None:
    # evaluate writes the model card: FastAPI, Jinja and matplotlib come with the pages only.
    card = _LOADED.replace(
        "import microlend.cli", "from microlend.dashboard import write_model_card"
    )
    shown = subprocess.run([sys.executable, "-c", card], check=True, capture_output=True, text=True)
    loaded = set(json.loads(shown.stdout))
    assert "microlend" in loaded
    assert sorted(loaded.intersection({"fastapi", "jinja2", "matplotlib", "starlette"})) == []
