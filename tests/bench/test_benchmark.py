"""The benchmark end to end on a tiny data set and both stores: every measurement there, with positive figures, and
the naive approaches giving exactly our answers (on each store, and the two stores giving the same answers).

Nothing here asserts a duration: timing belongs to the benchmark's report, not to a test.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from retrace.bench.cli import EXIT_CANNOT_RUN, EXIT_DIFFERENT_ANSWERS, app
from retrace.bench.targets import IdentifierKind
from tests.conftest import NEO4J_URI

# 40 items of seed 4 hold a lithium carbonate lot that traces back to a vehicle.
ITEMS, SEED = 40, 4

QUESTIONS = {
    *(f"find.{kind}" for kind in IdentifierKind.ALL),
    "history.vehicle",
    "lineage.downstream",
    "lineage.upstream",
    "site.inventory",
    "site.flows",
    "site.mass_balance",
    "report.national",
    "report.producer_epr",
    "graphql.items_100",
}
WITHOUT_NAIVE = {"history.vehicle", "site.flows"}


def _bench(tmp_path: Path, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        app,
        [
            "--items", str(ITEMS), "--seed", str(SEED), "--repeat", "2", "--warmup", "0", "--quiet",
            "--workdir", str(tmp_path / "work"), *args,
        ],
    )  # fmt: skip
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    tmp_path = tmp_path_factory.mktemp("bench")
    out, md = tmp_path / "results.json", tmp_path / "results.md"
    code, output = _bench(
        tmp_path,
        "--stores", "sqlite,neo4j", "--neo4j-uri", NEO4J_URI, "--wipe-neo4j",
        "--out", str(out), "--markdown", str(md),
    )  # fmt: skip
    assert code in (0, EXIT_DIFFERENT_ANSWERS), output  # differing answers are the next tests' business
    data: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
    data["_exit_code"] = code
    data["_markdown"] = md.read_text(encoding="utf-8")
    data["_output"] = output
    return data


pytestmark = pytest.mark.neo4j


def test_every_measurement_is_there_with_positive_figures(results: dict[str, Any]) -> None:
    assert set(results["stores"]) == {"sqlite", "neo4j"}
    for kind, store in results["stores"].items():
        measured = store["measurements"]
        assert set(measured) == QUESTIONS, kind
        for name, m in measured.items():
            ours = m["ours"]
            assert ours["runs"] >= 1 and ours["median_ms"] > 0 and ours["p95_ms"] >= ours["median_ms"], name
            assert m["spent_s"] > 0, name
            if name in WITHOUT_NAIVE:
                assert m["naive"] is None and m["ratio"] is None
            else:
                assert m["naive"]["median_ms"] > 0 and m["ratio"] > 0, name
        load = store["load"]
        assert load["events"] == results["data_set"]["events"] == load["created"] > 0
        assert load["objects"] > load["events"] / 2 and load["flow_records"] > load["events"]
        assert load["events_per_s"] > 0 and load["objects_per_s"] > 0
        assert store["version"]
    assert results["stores"]["sqlite"]["load"]["disk_bytes"] > 0


def test_naive_and_ours_give_the_same_answers_on_each_store(results: dict[str, Any]) -> None:
    for kind, store in results["stores"].items():
        for name, m in store["measurements"].items():
            if name in WITHOUT_NAIVE:
                continue
            assert m["same_answer"] is True, (kind, name)
            assert m["naive_answer"] == m["answer"], (kind, name)
    assert results["all_answers_agree"] is True
    assert results["mismatch_files"] == []
    assert results["_exit_code"] == 0


def test_both_stores_give_the_same_answers(results: dict[str, Any]) -> None:
    sqlite, neo4j = (results["stores"][k]["measurements"] for k in ("sqlite", "neo4j"))
    for name in QUESTIONS:
        assert sqlite[name]["answer"] == neo4j[name]["answer"], name
    assert all(results["agreement_across_stores"].values())


def test_the_answers_are_not_empty(results: dict[str, Any]) -> None:
    # Equal answers prove little if there is nothing in them: lineage walks the whole battery chain.
    store = results["stores"]["sqlite"]
    assert store["chain"]["reaches_lithium_carbonate"] is True
    sizes = {name: m["answer"]["size"] for name, m in store["measurements"].items()}
    assert (
        sizes["lineage.downstream"] > 100
    )  # a car, its pack, 8 modules, 96 cells, then black mass and salts
    assert sizes["lineage.upstream"] > 100
    assert sizes["graphql.items_100"] == 100
    for kind in IdentifierKind.ALL:
        assert sizes[f"find.{kind}"] > 0, kind
    assert sizes["report.producer_epr"] > 0 and sizes["site.inventory"] > 0


def test_the_results_carry_the_machine_and_the_parameters(results: dict[str, Any]) -> None:
    machine = results["machine"]
    assert machine["cores"] >= 1 and machine["memory_bytes"] > 0 and machine["python"].startswith("CPython")
    assert results["parameters"]["items"] == ITEMS and results["parameters"]["seed"] == SEED
    assert results["store_versions"]["sqlite"].startswith("SQLite ")
    assert "5.26" in results["store_versions"]["neo4j"]
    assert "report.national" in results["_markdown"] and "| sqlite" in results["_markdown"]
    assert "report.national" in results["_output"]


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_neo4j_not_running_says_how_to_start_it(tmp_path: Path) -> None:
    code, output = _bench(tmp_path, "--stores", "neo4j", "--neo4j-uri", f"bolt://127.0.0.1:{_closed_port()}")
    assert code == EXIT_CANNOT_RUN
    assert "scripts/neo4j start" in output


def test_a_neo4j_holding_data_is_not_erased_without_being_asked(
    results: dict[str, Any], tmp_path: Path
) -> None:
    # The module's run left its data in the test server.
    code, output = _bench(tmp_path, "--stores", "neo4j", "--neo4j-uri", NEO4J_URI)
    assert code == EXIT_CANNOT_RUN
    assert "--wipe-neo4j" in output
