"""Template 1: separation and binding of duties, as tables of logs in and findings out."""

from __future__ import annotations

import pytest

from controls.events import Event, Stage
from controls.tests.rules_kit import ev, run

SOD = {"id": "SOD-01", "template": "separation_of_duties", "first": "审核", "second": "批准"}
SOD_UNIT = {**SOD, "by": "unit"}
BIND = {"id": "BOD-01", "template": "binding_of_duties", "first": "受理", "second": "承办"}


@pytest.mark.parametrize(
    ("rule", "log", "expected"),
    [
        pytest.param(
            SOD,
            [ev("C1", "审核", "2026-03-02", "李四"), ev("C1", "批准", "2026-03-03", "王五")],
            [],
            id="different people: fine",
        ),
        pytest.param(
            SOD,
            [ev("C1", "审核", "2026-03-02", "李四"), ev("C1", "批准", "2026-03-03", "李四")],
            [("C1", "李四", "批准")],
            id="same person: breach named at the second step",
        ),
        pytest.param(
            SOD,
            [ev("C1", "批准", "2026-03-02", "李四"), ev("C1", "审核", "2026-03-03", "李四")],
            [("C1", "李四", "审核")],
            id="order does not matter",
        ),
        pytest.param(
            SOD,
            [ev("C1", "审核", "2026-03-02", "李四"), ev("C2", "批准", "2026-03-03", "李四")],
            [],
            id="two cases are independent",
        ),
        pytest.param(
            SOD,
            [ev("C1", "审核", "2026-03-02", ""), ev("C1", "批准", "2026-03-03", "")],
            [],
            id="unrecorded actor proves nothing",
        ),
        pytest.param(
            SOD,
            [
                ev("C1", "审核", "2026-03-02", "赵六"),
                ev("C1", "审核", "2026-03-02 10:00", "李四"),
                ev("C1", "批准", "2026-03-03", "李四"),
            ],
            [("C1", "李四", "批准")],
            id="any earlier reviewer counts",
        ),
        pytest.param(
            SOD_UNIT,
            [
                ev("C1", "审核", "2026-03-02", "李四", unit="一科"),
                ev("C1", "批准", "2026-03-03", "王五", unit="一科"),
            ],
            [("C1", "王五", "批准")],
            id="by unit: same unit, different people",
        ),
        pytest.param(
            SOD_UNIT,
            [
                ev("C1", "审核", "2026-03-02", "李四", unit="一科"),
                ev("C1", "批准", "2026-03-03", "李四", unit="二科"),
            ],
            [],
            id="by unit: different units",
        ),
        pytest.param(
            BIND,
            [ev("C1", "受理", "2026-03-02", "张三"), ev("C1", "承办", "2026-03-03", "张三")],
            [],
            id="binding: same person fine",
        ),
        pytest.param(
            BIND,
            [ev("C1", "受理", "2026-03-02", "张三"), ev("C1", "承办", "2026-03-03", "李四")],
            [("C1", "李四", "承办")],
            id="binding: another person breaches",
        ),
        pytest.param(
            BIND,
            [ev("C1", "承办", "2026-03-02", "李四")],
            [],
            id="binding: one step alone proves nothing",
        ),
    ],
)
def test_duties(
    rule: dict[str, str], log: list[Event], expected: list[tuple[str, str, str]]
) -> None:
    found = run(rule, log)
    assert [(f.cases[0], f.resource, f.events[-1].activity) for f in found] == expected
    assert all(f.stage is Stage.DURING and f.rule == rule["id"] for f in found)


def test_message_names_steps_person_and_rule() -> None:
    log = [
        ev("C1", "审核", "2026-03-02", "李四", post="审核岗"),
        ev("C1", "批准", "2026-03-03", "李四", post="科长"),
    ]
    (finding,) = run({**SOD, "name": "审核与批准不得为同一人", "stage": "after"}, log)
    assert finding.stage is Stage.AFTER
    assert finding.post == "科长"
    assert finding.message_zh == (
        "案件 C1：审核（2026-03-02）与批准（2026-03-03）由同一人（李四）办理，"
        "违反规则「审核与批准不得为同一人」（SOD-01）；后一环节办理人 李四（科长）。"
    )
    assert "same person (李四)" in finding.message_en


@pytest.mark.parametrize(
    ("rule", "log", "expected"),
    [
        pytest.param(
            SOD,
            [
                ev("C1", "审核", "2026-03-02 09:00", "李四"),
                ev("C1", "审核", "2026-03-02 10:00", "李四"),
                ev("C1", "批准", "2026-03-03", "李四"),
            ],
            [("C1", ["2026-03-02T09:00:00+08:00", "2026-03-03T09:00:00+08:00"], "李四")],
            id="one actor twice: the first time is the evidence",
        ),
        pytest.param(
            SOD,
            [
                ev("C1", "审核", "2026-03-02 09:00", "赵六"),
                ev("C1", "审核", "2026-03-02 10:00", "钱七"),
                ev("C1", "审核", "2026-03-02 11:00", "李四"),
                ev("C1", "审核", "2026-03-02 12:00", "钱七"),
                ev("C1", "批准", "2026-03-03", "钱七"),
            ],
            [("C1", ["2026-03-02T10:00:00+08:00", "2026-03-03T09:00:00+08:00"], "钱七")],
            id="three reviewers: the approver's own first review",
        ),
        pytest.param(
            BIND,
            [
                ev("C1", "受理", "2026-03-02 09:00", "张三"),
                ev("C1", "受理", "2026-03-02 10:00", "李四"),
                ev("C1", "承办", "2026-03-03", "李四"),
            ],
            [],
            id="binding: either of two who accepted may handle",
        ),
        pytest.param(
            BIND,
            [
                ev("C1", "受理", "2026-03-02 09:00", "张三"),
                ev("C1", "受理", "2026-03-02 10:00", "李四"),
                ev("C1", "承办", "2026-03-03", "王五"),
            ],
            [("C1", ["2026-03-02T09:00:00+08:00", "2026-03-03T09:00:00+08:00"], "张三")],
            id="binding: bound to the first who accepted",
        ),
    ],
)
def test_several_actors_on_one_step(
    rule: dict[str, str], log: list[Event], expected: list[tuple[str, list[str], str]]
) -> None:
    found = run(rule, log)
    who = "actor" if rule is SOD else "expected"
    assert [
        (f.cases[0], [e.time.isoformat() for e in f.events], f.details[who]) for f in found
    ] == (expected)
