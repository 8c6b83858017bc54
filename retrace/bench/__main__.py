"""``python -m retrace.bench``: what ``scripts/bench`` runs."""

from retrace.bench.cli import main

main()
