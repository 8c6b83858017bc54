"""The README's configuration table names exactly the settings the platform reads (no setting undocumented, no
documented variable that does nothing)."""

from __future__ import annotations

import re
from pathlib import Path

from retrace.config import Settings

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_configuration_table_lists_every_setting_and_nothing_else() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Configuration") : text.index("### Running on Neo4j")]
    documented = set(re.findall(r"^\| `TRACE_([A-Z0-9_]+)`", section, flags=re.MULTILINE))
    documented |= {
        name
        for pair in re.findall(r"^\| `TRACE_(\w+)` / `TRACE_(\w+)`", section, flags=re.MULTILINE)
        for name in pair
    }
    assert documented == {name.upper() for name in Settings.model_fields}
