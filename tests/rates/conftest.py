"""The demo data set in an embedded store file of its own, for the tests that read reports over it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import copy_demo


@pytest.fixture(scope="session")
def demo_db(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_demo(demo_template, tmp_path_factory.mktemp("demo"))
