"""``python -m retrace.cli`` is ``trace``."""

from retrace.cli.main import run

run()
