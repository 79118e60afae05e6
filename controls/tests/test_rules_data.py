"""Templates 3 (threshold -> required step) and 7 (no change after a step)."""

from __future__ import annotations

from typing import Any

import pytest

from controls.events import Event
from controls.tests.rules_kit import ev, run

TH = {
    "id": "TH-01",
    "template": "required_step",
    "name": "50 万元以上须经集体审理",
    "activity": "批准",
    "when": "amount >= 500000",
    "requires": "集体审理",
}
ALWAYS = {"id": "TH-02", "template": "required_step", "activity": "批准", "requires": ["审核"]}


def approval(amount: object, *, review: bool = False, early: bool = False) -> list[Event]:
    """受理 → (集体审理) → 批准; the amount comes with 批准, or with 受理 when ``early``."""
    data: dict[str, Any] = {} if amount is None else {"amount": amount}
    log = [ev("C1", "受理", "2026-03-02", "张三", **(data if early else {}))]
    if review:
        log.append(ev("C1", "集体审理", "2026-03-03", "委员会"))
    log.append(ev("C1", "批准", "2026-03-04", "王五", post="局长", **({} if early else data)))
    return log


@pytest.mark.parametrize(
    ("rule", "log", "breaches"),
    [
        pytest.param(TH, approval(499_999.99), 0, id="just below the threshold"),
        pytest.param(TH, approval(500_000), 1, id="exactly at the threshold"),
        pytest.param(TH, approval(500_000, review=True), 0, id="reviewed first"),
        pytest.param(TH, approval("500000"), 1, id="amount as text from a CSV"),
        pytest.param(TH, approval("499999.99"), 0, id="text just below"),
        pytest.param(TH, approval(None), 0, id="no amount: condition false"),
        pytest.param(TH, approval(600_000, early=True), 1, id="amount given at an earlier step"),
        pytest.param(ALWAYS, approval(1), 1, id="no condition: always required"),
        pytest.param(
            TH,
            [
                ev("C1", "批准", "2026-03-04", "王五", amount=600_000),
                ev("C1", "集体审理", "2026-03-05", "委员会"),
            ],
            1,
            id="review after approval is too late",
        ),
    ],
)
def test_required_step(rule: dict[str, Any], log: list[Event], breaches: int) -> None:
    found = run(rule, log)
    assert len(found) == breaches
    assert all(f.resource == "王五" and f.events[-1].activity == "批准" for f in found)


@pytest.mark.parametrize(
    ("amounts", "breaches"),
    [
        pytest.param({0: 600_000}, 1, id="given first, then many steps without it"),
        pytest.param({0: 600_000, 40: 100}, 0, id="lowered by a late step"),
        pytest.param({0: 100, 31: 600_000}, 1, id="raised just as earlier steps are read"),
        pytest.param({0: 100, 32: 600_000, 33: None}, 1, id="a step without it keeps it"),
    ],
)
def test_required_step_reads_the_latest_amount_of_a_long_case(
    amounts: dict[int, Any], breaches: int
) -> None:
    """The amount may come with any of many earlier steps; the latest one given counts."""
    log = [
        ev("C1", "补正", f"2026-03-{2 + i // 10:02}", "张三",
           **({} if amounts.get(i) is None else {"amount": amounts[i]}))
        for i in range(45)
    ]  # fmt: skip
    log.append(ev("C1", "批准", "2026-03-09", "王五"))
    assert len(run(TH, log)) == breaches


def test_required_step_message() -> None:
    (finding,) = run(TH, approval(500_000))
    assert finding.message_zh == (
        "案件 C1：批准（2026-03-04）前未经集体审理，而条件 amount >= 500000 成立"
        "（amount = 500000），违反规则「50 万元以上须经集体审理」（TH-01）；办理人 王五（局长）。"
    )
    assert finding.details["data"] == {"amount": 500000}


NC = {"id": "NC-01", "template": "no_change_after", "after": "批准", "forbidden": ["修改申请"]}
NC_FIELDS = {"id": "NC-02", "template": "no_change_after", "after": "批准", "fields": ["amount"]}


@pytest.mark.parametrize(
    ("rule", "log", "expected"),
    [
        pytest.param(
            NC,
            [ev("C1", "修改申请", "2026-03-02", "张三"), ev("C1", "批准", "2026-03-03", "王五")],
            [],
            id="change before approval is fine",
        ),
        pytest.param(
            NC,
            [ev("C1", "批准", "2026-03-03", "王五"), ev("C1", "修改申请", "2026-03-04", "张三")],
            [("张三", "修改申请")],
            id="change after approval",
        ),
        pytest.param(
            NC_FIELDS,
            [
                ev("C1", "受理", "2026-03-02", "张三", amount=1000),
                ev("C1", "批准", "2026-03-03", "王五"),
                ev("C1", "送达", "2026-03-04", "张三", amount=1000),
            ],
            [],
            id="same value repeated is no change",
        ),
        pytest.param(
            NC_FIELDS,
            [
                ev("C1", "受理", "2026-03-02", "张三", amount=1000),
                ev("C1", "批准", "2026-03-03", "王五"),
                ev("C1", "送达", "2026-03-04", "赵六", amount=900),
                ev("C1", "归档", "2026-03-05", "赵六", amount=900),
            ],
            [("赵六", "送达")],
            id="value changed once after approval",
        ),
        pytest.param(
            NC_FIELDS,
            [
                ev("C1", "批准", "2026-03-03", "王五"),
                ev("C1", "送达", "2026-03-04", "赵六", amount=1),
            ],
            [("赵六", "送达")],
            id="a value first given after approval is a change",
        ),
        pytest.param(
            NC_FIELDS,
            [
                ev("C1", "批准", "2026-03-03", "王五", amount=5),
                ev("C1", "送达", "2026-03-04", "赵六", amount=5),
            ],
            [],
            id="value set by the approval itself",
        ),
    ],
)
def test_no_change_after(
    rule: dict[str, Any], log: list[Event], expected: list[tuple[str, str]]
) -> None:
    found = run(rule, log)
    assert [(f.resource, f.events[-1].activity) for f in found] == expected


def test_field_change_message() -> None:
    log = [
        ev("C1", "受理", "2026-03-02", "张三", amount=1000),
        ev("C1", "批准", "2026-03-03", "王五"),
        ev("C1", "送达", "2026-03-04", "赵六", amount=900),
    ]
    (finding,) = run({**NC_FIELDS, "name": "批准后不得变更金额"}, log)
    assert finding.message_zh == (
        "案件 C1：批准（2026-03-03）后，送达（2026-03-04）将 amount 由 1000 改为 900，"
        "违反规则「批准后不得变更金额」（NC-02）；办理人 赵六。"
    )
    assert finding.details == {"after": "批准", "field": "amount", "old": 1000, "new": 900}
