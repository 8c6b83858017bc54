"""`trace` starts fast on a gateway: the commands a device runs often (`trace sync …`, `trace rfid …`, `--help`) load
no web framework, store driver, label renderer, settings or cryptography.  Each case runs in a fresh interpreter and
checks which modules it loaded (not how long it took: scripts/bench-cli-startup measures that).

Importing the command line loads no pydantic either; running a command does, because typer (0.29) converts option
values with pydantic itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# What only serving, storing, printing labels, reading settings or making certificates needs.
HEAVY = (
    "fastapi",
    "starlette",
    "strawberry",
    "graphql",
    "uvicorn",
    "pydantic_settings",
    "httpx",
    "neo4j",
    "reportlab",
    "PIL",
    "qrcode",
    "cryptography",
    "biip",
    "epcpy",
    "retrace.api",
    "retrace.adapters",
    "retrace.bootstrap",
    "retrace.demo",
    "retrace.domain.identifiers",
)

_IMPORT = "import json, sys\nimport {module}\nprint(json.dumps(sorted(sys.modules)))\n"
_RUN = """
import json, sys
from typer.testing import CliRunner
from retrace.cli.main import app
result = CliRunner().invoke(app, sys.argv[1:])
print(json.dumps({"exit_code": result.exit_code, "output": result.output, "modules": sorted(sys.modules)}))
"""


def _heavy(modules: list[str], heavy: tuple[str, ...] = HEAVY) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in heavy))


@pytest.mark.parametrize("module", ["retrace.cli.main", "retrace.scanners.cli"])
def test_importing_the_command_line_loads_nothing_heavy(module: str) -> None:
    answer = subprocess.run(
        [sys.executable, "-c", _IMPORT.format(module=module)], capture_output=True, text=True, check=True
    )
    assert _heavy(json.loads(answer.stdout), (*HEAVY, "pydantic")) == []


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["sync", "status", "--queue", "{tmp}/outbox.db"],
        ["sync", "dead", "--queue", "{tmp}/outbox.db"],
        ["sync", "push", "--help"],
        ["rfid", "bridge", "--help"],
        ["serve", "--help"],
        ["labels", "--help"],
        ["report", "--help"],
    ],
    ids=lambda args: " ".join(a for a in args if "{tmp}" not in a),
)
def test_device_commands_and_help_load_nothing_heavy(args: list[str], tmp_path: Path) -> None:
    argv = [a.format(tmp=tmp_path) for a in args]
    answer = subprocess.run([sys.executable, "-c", _RUN, *argv], capture_output=True, text=True, check=True)
    ran = json.loads(answer.stdout)
    assert ran["exit_code"] == 0, ran["output"]
    assert _heavy(ran["modules"]) == []


def test_a_command_that_serves_still_finds_what_it_needs(tmp_path: Path) -> None:
    """The other side: the imports moved into the commands are there when a command runs."""
    answer = subprocess.run(
        [sys.executable, "-c", _RUN, "export-openapi", "--output", str(tmp_path / "openapi.json")],
        capture_output=True,
        text=True,
        check=True,
    )
    ran = json.loads(answer.stdout)
    assert ran["exit_code"] == 0, ran["output"]
    assert {"fastapi", "retrace.api.app"} <= set(ran["modules"])
    assert (tmp_path / "openapi.json").stat().st_size > 10_000
