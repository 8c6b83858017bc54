"""``trace report``: tables on the terminal, the same report as CSV and as the REST body in JSON."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from retrace.cli.main import app


@pytest.fixture
def run(demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    for name in ("TRACE_STORE", "TRACE_ENV", "TRACE_SQLITE_PATH"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    shutil.copy(demo_db, tmp_path / "trace.db")

    def invoke(*args: str) -> Result:
        env = {"TRACE_SQLITE_PATH": str(tmp_path / "trace.db"), "COLUMNS": "220"}
        return CliRunner().invoke(app, ["report", *args], env=env)

    return invoke


def test_the_report_prints_tables_and_writes_csv_and_json(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "--from", "2025-01", "--to", "2026-09", "--csv", "out/report.csv", "--json", "out/report.json"
    )
    assert result.exit_code == 0, result.output
    for text in ("Recovery report / 回收利用报告", "Mass balance / 物质平衡", "68.8 %", "73.6 %", "废钢铁", "lithium",
                 "88.2 %", "EPR / 生产者责任延伸", "verify"):  # fmt: skip
        assert text in result.output, text
    body = json.loads((tmp_path / "out/report.json").read_text(encoding="utf-8"))
    assert body["period"] == {"from": "2025-01", "to": "2026-09", "months": 21}
    assert body["figures"]["recycling_rate"] == pytest.approx(0.688, abs=5e-4)
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out/report.csv").read_text(encoding="utf-8"))))
    by_key = {(r["section"], r["key"], r["subject"]): r for r in rows}
    assert float(by_key[("figure", "recycling_rate", "")]["value"]) == pytest.approx(
        body["figures"]["recycling_rate"]
    )
    steel = by_key[("target", "miit_scrap_steel", "")]
    assert steel["unit"] == "10 kt" and steel["target"] == "15000" and steel["met"] == "false"
    li = by_key[("target", "cn_battery_2024_li", "ganzhou-lithium")]
    assert li["status"] == "verify" and li["source"] == "other-recovery-targets.csv#cn_battery_2024_li"
    assert {r["key"] for r in rows if r["section"] == "element"} == {
        "lithium",
        "nickel",
        "cobalt",
        "manganese",
        "copper",
    }


def test_scopes_and_streams(run) -> None:  # type: ignore[no-untyped-def]
    site = run("--scope", "site", "--id", "s-xiangjiang-weee-wangcheng", "--from", "2025-01", "--to", "2026-09",
               "--json", "site.json")  # fmt: skip
    assert site.exit_code == 0, site.output
    assert "望城拆解厂" in site.output
    body = json.loads(Path("site.json").read_text(encoding="utf-8"))
    assert body["scope"]["kind"] == "site" and body["figures"]["loss_kg"] == 0  # the "high yield" dismantler
    battery = run("--stream", "battery", "--from", "2025-01", "--to", "2026-09")
    assert battery.exit_code == 0, battery.output
    (header,) = [line for line in battery.output.splitlines() if "all / 合计" in line]  # a column per stream
    streams = [cell.strip() for cell in header.split("┃")[1:-1]]
    assert streams == ["", "all / 合计", "battery"]


def test_a_bad_scope_or_period_says_what_is_wrong(run) -> None:  # type: ignore[no-untyped-def]
    missing = run("--scope", "party", "--id", "nobody", "--from", "2025-01", "--to", "2026-09")
    assert missing.exit_code == 1 and "PARTY_NOT_FOUND" in missing.output
    backwards = run("--from", "2026-09", "--to", "2025-01")
    assert backwards.exit_code == 1 and "结束月份早于开始月份" in backwards.output
    malformed = run("--from", "2025-13")
    assert malformed.exit_code == 1 and "YYYY-MM" in malformed.output


def test_a_producers_epr_line_shows_its_target_and_gap(run) -> None:  # type: ignore[no-untyped-def]
    producer = run("--scope", "producer", "--id", "yuehua-appliances", "--from", "2025-01", "--to", "2026-09",
                   "--csv", "producer.csv")  # fmt: skip
    assert producer.exit_code == 0, producer.output
    # 131 appliances placed, 19 of them properly treated: 14.5 %, 35.5 points short of the 2025 step's 50 %.
    assert "rate / 比率 14.5 %; target / 目标 50 % [cn_epr_2025], gap / 差距 -35.50 pt" in producer.output
    rows = list(csv.DictReader(io.StringIO(Path("producer.csv").read_text(encoding="utf-8"))))
    elv = [r for r in rows if r["key"] == "cn_auto_epr_2023_utilisation"]
    assert [r["met"] for r in elv] == ["not_applicable"]  # an appliance maker has no ELV utilisation rate
    assert elv[0]["note"].startswith("not applicable: no elv flows")


def test_a_dismantler_has_no_epr_line_and_its_epr_target_is_not_applicable(run) -> None:  # type: ignore[no-untyped-def]
    party = run("--scope", "party", "--id", "xiangjiang-weee", "--from", "2025-01", "--to", "2026-09",
                "--csv", "party.csv")  # fmt: skip
    assert party.exit_code == 0, party.output
    assert "EPR / 生产者责任延伸" not in party.output and "216 units" not in party.output
    rows = list(csv.DictReader(io.StringIO(Path("party.csv").read_text(encoding="utf-8"))))
    (epr,) = [r for r in rows if r["key"] == "cn_epr_2025"]
    assert epr["met"] == "not_applicable" and epr["value"] == ""
    assert epr["note"].startswith("not applicable: EPR rates are producers' obligations")
