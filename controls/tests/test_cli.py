"""``python -m controls`` end to end: findings out as table, JSON and CSV; bad input, exit 2."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from controls.bench.common import DATA_DIR
from controls.cli import main

HERE = Path(__file__).parent / "rules"
RULES = str(HERE / "bureau.yaml")
LOG = str(HERE / "bureau.csv")
RUNNING = DATA_DIR / "running-example.xes"


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


def test_json_findings() -> None:
    code, out = run("check", "--rules", RULES, "--log", LOG, "--format", "json",
                    "--now", "2026-10-27T09:00:00+08:00")  # fmt: skip
    assert code == 0
    found = json.loads(out)
    assert [(f["rule"], f["cases"], f["stage"], f["resource"], f["post"]) for f in found] == [
        ("SOD-01", ["C1"], "during", "李四", "科长"),
        ("TH-01", ["C1"], "during", "李四", "科长"),
        ("WT-01", ["C1"], "during", "李四", "科长"),
        ("TL-01", ["C1"], "after", "张三", "办税服务岗"),
        ("TL-01", ["C3"], "during", "赵六", "办税服务岗"),
    ]
    assert found[3]["message_zh"].startswith(
        "案件 C1：受理（2026-09-28）至办结（2026-10-19）用时 11"
    )
    assert [e["activity"] for e in found[0]["events"]] == ["审核", "批准"]
    assert all(f["message_en"] for f in found)


def test_now_without_offset_is_bureau_time() -> None:
    _, with_offset = run("check", "--rules", RULES, "--log", LOG, "--format", "json",
                         "--now", "2026-10-22T00:00:00+08:00")  # fmt: skip
    _, without = run("check", "--rules", RULES, "--log", LOG, "--format", "json",
                     "--now", "2026-10-22T00:00")  # fmt: skip
    assert json.loads(without) == json.loads(with_offset)
    assert json.loads(without)[-1]["stage"] == "before"


def test_table_and_csv() -> None:
    code, table = run("check", "--rules", RULES, "--log", LOG)
    assert code == 0
    lines = table.splitlines()
    assert lines[0].split()[:2] == ["规则", "rule"]
    assert lines[1].startswith("SOD-01     during      high           C1         李四（科长）")
    assert lines[-1] == "4 条发现 findings — 示例分局执法内控规则 2026.1"
    _, text = run("check", "--rules", RULES, "--log", LOG, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["rule"], r["cases"], r["severity"]) for r in rows] == [
        ("SOD-01", "C1", "high"),
        ("TH-01", "C1", "high"),
        ("WT-01", "C1", "low"),
        ("TL-01", "C1", "medium"),
    ]


def test_columns_mapping(tmp_path: Path) -> None:
    renamed = tmp_path / "log.csv"
    text = Path(LOG).read_text("utf-8").replace("case,activity,time", "案件号,环节,时间", 1)
    renamed.write_text(text, "utf-8")
    code, out = run("check", "--rules", RULES, "--log", str(renamed), "--format", "json",
                    "--columns", "case=案件号,activity=环节,time=时间")  # fmt: skip
    assert code == 0
    assert len(json.loads(out)) == 4


@pytest.mark.skipif(not RUNNING.exists(), reason="shared event logs are not checked out")
def test_running_example_xes() -> None:
    code, out = run("check", "--rules", str(HERE / "running-example.yaml"),
                    "--log", str(RUNNING), "--format", "json")  # fmt: skip
    assert code == 0
    found = [(f["rule"], f["cases"][0], f["resource"]) for f in json.loads(out)]
    assert sorted(found) == sorted([
        ("RE-TL", "3", "Sara"), ("RE-SOD", "3", "Pete"), ("RE-NC", "3", "Pete"),
        ("RE-WT", "3", "Sara"), ("RE-SOD", "2", "Mike"), ("RE-TH", "2", "Ellen"),
        ("RE-TL", "1", "Sara"), ("RE-SOD", "6", "Mike"), ("RE-WT", "6", "Sara"),
        ("RE-TH", "6", "Mike"), ("RE-WT", "5", "Sara"), ("RE-SOD", "5", "Ellen"),
        ("RE-NC", "5", "Ellen"), ("RE-NC", "5", "Pete"), ("RE-WT", "5", "Sara"),
        ("RE-WT", "4", "Sara"),
    ])  # fmt: skip


def test_validate() -> None:
    code, out = run("validate", "--rules", RULES)
    assert code == 0
    assert "OK — 6 rules (5 enabled)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["validate", "--rules", "absent.yaml"], "absent.yaml: cannot read"),
        (["check", "--rules", RULES, "--log", "absent.csv"], "absent.csv"),
        (["check", "--rules", RULES, "--log", LOG, "--now", "next week"], "--now 'next week'"),
        (["check", "--rules", RULES, "--log", LOG, "--columns", "case"], "--columns"),
        (["check", "--rules", RULES, "--log", LOG, "--reference", "x"], "NAME=FILE.csv"),
        (["check", "--rules", RULES, "--log", LOG, "--log-format", "jsonl"], "bureau.csv"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(args, out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ")
    assert message in err
    assert err.count("\n") == 1
    assert "Traceback" not in err


def test_bad_rule_file_names_rule_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "rules.yaml"
    bad.write_text(Path(RULES).read_text("utf-8").replace("limit: 10", "limit: ten"), "utf-8")
    assert main(["check", "--rules", str(bad), "--log", LOG], out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert err == f"error: {bad}, rule TL-01, field limit: must be a number / 必须是数字\n"


def test_bad_log_row_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "log.csv"
    bad.write_text(Path(LOG).read_text("utf-8").replace("2026-09-29T10:00", "yesterday"), "utf-8")
    assert main(["check", "--rules", RULES, "--log", str(bad)], out=io.StringIO()) == 2
    err = capsys.readouterr().err
    assert f"error: {bad}, row 3" in err
    assert err.count("\n") == 1


def test_module_entry_point() -> None:
    done = subprocess.run(  # noqa: S603  (our own interpreter, fixed arguments)
        [sys.executable, "-m", "controls", "validate", "--rules", RULES],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "OK" in done.stdout


def test_summary_gives_compliance_degrees_by_rule_case_post_and_unit() -> None:
    code, out = run("check", "--rules", RULES, "--log", LOG, "--summary", "--format", "json",
                    "--now", "2026-10-27T09:00:00+08:00")  # fmt: skip
    assert code == 0
    degrees = json.loads(out)
    assert degrees["by_rule"]["TL-01"] == {"checked": 3, "breached": 2, "degree": 1 / 3}
    assert degrees["by_rule"]["NC-01"] == {"checked": 3, "breached": 0, "degree": 1.0}
    assert degrees["by_case"]["C1"] == {"checked": 5, "breached": 4, "degree": 0.2}
    assert degrees["by_case"]["C2"]["degree"] == 1.0
    assert degrees["by_case"]["C3"]["breached"] == 1  # past its deadline by then
    assert degrees["by_post"]["科长"] == {"checked": 1, "breached": 1, "degree": 0.0}
    assert degrees["by_unit"]["二分局"]["breached"] == 1


def test_a_warning_does_not_lower_the_compliance_degree() -> None:
    # At this time case C3 is only warned of its deadline (stage before): not a breach.
    _, out = run("check", "--rules", RULES, "--log", LOG, "--summary", "--format", "json",
                 "--now", "2026-10-22T00:00")  # fmt: skip
    assert json.loads(out)["by_case"]["C3"]["breached"] == 0


def test_summary_as_table_and_csv() -> None:
    args = ("check", "--rules", RULES, "--log", LOG, "--summary")
    code, table = run(*args)
    assert code == 0
    lines = table.splitlines()
    assert lines[0].split() == ["规则", "rule", "检查", "checked", "违规", "breached", "合规度",
                                "degree"]  # fmt: skip
    assert "C1         5             4              20.0%" in lines
    assert lines[-1].startswith("合规度 = 未违规案件数 / 检查案件数")
    _, text = run(*args, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["by"] for r in rows} == {"by_rule", "by_case", "by_post", "by_unit"}
    assert {
        "by": "by_case",
        "key": "C2",
        "checked": "5",
        "breached": "0",
        "degree": "1.0000",
    } in rows
