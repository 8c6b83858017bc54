"""The targets, material classes and product categories the recovery reports use, as data shipped in the package.

``load_catalogue()`` reads ``targets.csv``, ``materials.csv`` and ``categories.csv`` next to this file (through
``importlib.resources``, so an installed wheel finds them too) and checks every row.  ``sources/`` holds the files
they were derived from, unchanged; ``README.md`` says where each figure comes from.  The catalogue's ``version`` is
a hash of the three files: a report names the version it used.
"""

from __future__ import annotations

import csv
import io
from functools import cache
from importlib.resources import files

from retrace.domain.rates.targets import Catalogue, catalogue_from_rows, content_version

FILES = ("targets.csv", "materials.csv", "categories.csv")


def read_text(name: str) -> str:
    return files(__name__).joinpath(name).read_text(encoding="utf-8")


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@cache
def load_catalogue() -> Catalogue:
    texts = [read_text(name) for name in FILES]
    targets, materials, categories = (rows(t) for t in texts)
    return catalogue_from_rows(targets, materials, categories, content_version(*texts))
