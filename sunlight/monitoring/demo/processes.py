"""The demo bureau's processes as its business systems record them: steps, posts and data.

Each process belongs to a power item of the demo power list (``QL-<bureau>-<key>``) and is run
by the posts the org demo creates (codes ``<bureau>-<unit>-<post>``). A builder drafts one
case's steps from a :class:`Draft`; problems specific to a process (a penalty outside the band, a
missing collective review …) are planted here, the generic ones (four-eyes, off-hours, overdue,
recusal, change after approval) by the generator. Thresholds and limits must match
``data/rules.yaml``: the tests check every planted case is found and no clean case is.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sunlight.monitoring.demo.schedule import Step

DATA_DIR = Path(__file__).resolve().parent / "data"

RELIEF_COLLECTIVE = 500_000  # 减免税额 50 万元以上须经集体审理 (JM-02)
SPLIT_LOWER = 400_000  # "just below" the threshold (JM-03)
INVOICE_PENALTY_COLLECTIVE = 10_000  # 发票违法罚款 1 万元以上须经集体审理 (FW-01)
AUDIT_COLLECTIVE = 1_000_000  # 偷税 100 万元以上为重大税务案件 (JC-01)

TEAMS = ("FJ1-SY1", "FJ1-SY2", "FJ2-SY1")  # county tax-source teams, each in its branch


@dataclass(frozen=True)
class Party:
    id: str  # unified social credit code
    name: str


@dataclass
class Draft:
    """What a builder needs to draft a case: where, for whom, and which problem (if any)."""

    rng: random.Random
    bureau: str
    kind: str  # planted problem, "" for a clean case
    party: Party
    extra: dict[str, Any] = field(default_factory=dict)  # a group's shared choices

    def post(self, key: str) -> str:
        """``"NF-BST/BSFW"`` → ``SL01-NF-BST-BSFW``; ``"/FJZ"`` → ``SL01-FJZ``."""
        unit, _, post = key.partition("/")
        return "-".join(part for part in (self.bureau, unit, post) if part)

    def who(self) -> dict[str, str]:
        return {"party": self.party.id, "party_name": self.party.name}


@dataclass(frozen=True)
class Limit:
    """A time limit of ``data/rules.yaml``: from ``start`` to ``end`` within ``limit``."""

    rule: str
    start: str
    end: str
    limit: int
    unit: str  # workdays | days
    warn_at: float

    @property
    def warn_units(self) -> int:
        return max(1, math.ceil(self.warn_at * self.limit))


@dataclass(frozen=True)
class Process:
    tag: str  # in case numbers
    power: str  # power item key in its bureau: QL-<bureau>-<power>
    name: str
    city: bool  # run by the city bureau (else by every county bureau)
    volume: int  # cases a year per bureau
    build: Callable[[Draft], list[Step]]
    plants: Mapping[str, int]  # planted problem → cases per bureau
    groups: Mapping[str, int] = field(default_factory=dict)  # cross-case patterns per bureau
    limit: Limit | None = None
    four_eyes: tuple[tuple[str, str], ...] = ()  # (step, step whose officer does it too)
    off_hours: tuple[str, ...] = ()
    recusal: tuple[str, ...] = ()
    change_post: str = ""  # who alters the amount after approval
    pool: str = ""  # which cross-case rules its clean cases must stay clear of


# --- bands and amounts ------------------------------------------------------------------------


def _read_bands() -> dict[tuple[str, str], tuple[float, float]]:
    with (DATA_DIR / "discretion_bands.csv").open(encoding="utf-8") as stream:
        return {
            (row["violation"], row["circumstance"]): (float(row["min"]), float(row["max"]))
            for row in csv.DictReader(stream)
        }


BANDS = _read_bands()


def in_band(rng: random.Random, violation: str, circumstance: str, step: float) -> float:
    """A round value strictly inside the band (clear of both bounds, inclusive or not)."""
    low, high = BANDS[(violation, circumstance)]
    first, last = math.floor(low / step) + 1, math.ceil(high / step) - 1
    return round(rng.randint(first, last) * step, 2)


def off_band(rng: random.Random, violation: str, circumstance: str, step: float) -> float:
    """A round value outside the band: above it, or below it when the band starts above 0."""
    low, high = BANDS[(violation, circumstance)]
    if low > 0 and rng.random() < 0.5:
        return round(max(math.floor(low * rng.uniform(0.2, 0.7) / step), 1) * step, 2)
    return round(math.ceil(high * rng.uniform(1.2, 2.0) / step) * step, 2)


def money(rng: random.Random, low: float, high: float, step: int = 100) -> int:
    """A round amount between ``low`` and ``high``, spread evenly on a log scale."""
    value = math.exp(rng.uniform(math.log(low), math.log(high)))
    return max(int(value // step) * step, step)


# --- county processes -------------------------------------------------------------------------

RELIEF_REASONS = ("遭受自然灾害损失", "安置残疾人就业", "生产经营严重困难", "重点群体创业就业")
TAX_TYPES = ("增值税", "企业所得税", "房产税", "城镇土地使用税")


def relief(d: Draft) -> list[Step]:
    """减免税核准: the window accepts, the relief post handles, legal reviews, a deputy approves;
    50 万元以上 the bureau meeting decides first."""
    rng = d.rng
    amount = d.extra.get("amount") or _relief_amount(rng, d.kind)
    steps = [
        Step(
            "受理",
            d.post("NF-BST/BSFW"),
            data={
                **d.who(),
                "tax_type": rng.choice(TAX_TYPES),
                "amount": amount,
                "reason": rng.choice(RELIEF_REASONS),
            },
        ),
        Step("承办", d.post("ZG/JMS"), (1, 3), {"opinion": "资料齐全，符合减免条件"}),
        Step("审核", d.post("FZ/FZSH"), (1, 3), {"opinion": "同意"}),
    ]
    if amount >= RELIEF_COLLECTIVE and d.kind != "missing_collective_review":
        steps.append(Step("集体审理", d.post("/JZ"), (1, 3), {"meeting": "局务会议"}))
    steps += [
        Step("批准", d.post("/FJZ"), (1, 2), {"decision": "准予减免"}),
        Step("办结", d.post("NF-BST/BSFW"), (1, 2), {"document": "税务事项通知书"}),
    ]
    return steps


def _relief_amount(rng: random.Random, kind: str) -> int:
    if kind == "missing_collective_review" or rng.random() < 0.1:
        return money(rng, RELIEF_COLLECTIVE, 1_500_000, 1000)
    if rng.random() < 0.05:
        return money(rng, SPLIT_LOWER, RELIEF_COLLECTIVE - 1000, 1000)
    return money(rng, 20_000, SPLIT_LOWER - 1000, 1000)


def refund(d: Draft) -> list[Step]:
    """退还多缴税款: accepted at the window, reviewed, approved by a deputy, paid back."""
    rng = d.rng
    return [
        Step(
            "受理",
            d.post("NF-BST/BSFW"),
            data={
                **d.who(),
                "tax_type": rng.choice(TAX_TYPES),
                "amount": money(rng, 2_000, 400_000),
                "reason": "多缴税款",
            },
        ),
        Step("审核", d.post("ZG/ZGYW"), (1, 4), {"opinion": "经核实属多缴，同意退还"}),
        Step("批准", d.post("/FJZ"), (1, 3), {"decision": "准予退还"}),
        Step("办结", d.post("NF-BST/BSFW"), (1, 3), {"document": "税务事项通知书"}),
    ]


INVOICE_KINDS = ("增值税专用发票", "增值税普通发票", "电子发票（增值税专用发票）")


def invoice(d: Draft) -> list[Step]:
    """发票领用: the window takes the request, the invoice post issues, the window closes."""
    rng = d.rng
    quantity = rng.choice((25, 50, 100, 200))
    return [
        Step(
            "受理",
            d.post("NF-BST/BSFW"),
            data={**d.who(), "invoice_type": rng.choice(INVOICE_KINDS), "quantity": quantity},
        ),
        Step("发售", d.post("ZG/FP"), (0, 1), {"quantity": quantity}),
        Step("办结", d.post("NF-BST/BSFW"), (0, 0)),
    ]


def registration(d: Draft) -> list[Step]:
    """一般纳税人登记: accepted and closed at the window after the collection post's check."""
    rng = d.rng
    return [
        Step(
            "受理",
            d.post("NF-BST/BSFW"),
            data={**d.who(), "annual_sales": money(rng, 5_000_000, 80_000_000, 10_000)},
        ),
        Step("审核", d.post("ZG/ZGYW"), (0, 1), {"opinion": "符合登记条件"}),
        Step("办结", d.post("NF-BST/BSFW"), (0, 1), {"effective": "次月1日"}),
    ]


def simple_penalty(violation: str) -> Callable[[Draft], list[Step]]:
    """行政处罚（简易）: the party's tax-source officer files and investigates, the branch head
    decides: 首违不罚 for a first minor offence, else a penalty in the discretion band."""

    def build(d: Draft) -> list[Step]:
        rng = d.rng
        team = d.extra.get("team") or rng.choice(TEAMS)
        officer = d.post(f"{team}/SYGL")
        circumstance = (
            d.extra.get("circumstance") or rng.choices(("轻微", "一般", "严重"), (45, 40, 15))[0]
        )
        decision = _simple_decision(d, violation, circumstance)
        facts = {"violation": violation, "circumstance": circumstance}
        return [
            Step("立案", officer, data={**d.who(), **facts}),
            Step("调查", officer, (0, 2), {"party": d.party.id, "evidence": "询问笔录、申报记录"}),
            Step("告知", officer, (1, 2), {"notice": "税务行政处罚事项告知书"}),
            Step(
                "决定",
                d.post(f"{team.split('-')[0]}/FJZ"),
                (1, 2),
                {"party": d.party.id, **facts, **decision},
            ),
            Step("送达", officer, (1, 2), {"document": "税务行政处罚决定书"}),
            Step("办结", officer, (0, 2)),
        ]

    return build


def _simple_decision(d: Draft, violation: str, circumstance: str) -> dict[str, Any]:
    if d.kind == "penalty_outside_band":
        return {"decision": "处罚", "penalty": off_band(d.rng, violation, circumstance, 50)}
    forced = d.extra.get("decision")
    if forced == "首违不罚" or (not forced and circumstance == "轻微"):
        return {"decision": "首违不罚"}
    return {"decision": "处罚", "penalty": in_band(d.rng, violation, circumstance, 50)}


INVOICE_VIOLATION = "未按规定开具发票"


def invoice_penalty(d: Draft) -> list[Step]:
    """对违反发票管理规定的处罚 (一般程序): investigated by the invoice post, reviewed by legal
    (查审分离), 1 万元以上 reviewed by the committee, decided by the director."""
    rng = d.rng
    circumstance = "严重" if d.kind == "missing_collective_review" else rng.choices(
        ("轻微", "一般", "严重"), (30, 50, 20))[0]  # fmt: skip
    maker = off_band if d.kind == "penalty_outside_band" else in_band
    penalty = maker(rng, INVOICE_VIOLATION, circumstance, 100)
    facts = {"violation": INVOICE_VIOLATION, "circumstance": circumstance}
    steps = [
        Step("立案", d.post("ZG/FP"), data={**d.who(), **facts}),
        Step("调查", d.post("ZG/FP"), (1, 4), {"party": d.party.id, "evidence": "发票存根联"}),
        Step("审理", d.post("FZ/FZSH"), (2, 5), {"proposed_penalty": penalty}),
    ]
    if penalty >= INVOICE_PENALTY_COLLECTIVE and d.kind != "missing_collective_review":
        steps.append(
            Step("集体审理", d.post("FZ/SL"), (1, 3), {"meeting": "重大税务案件审理委员会"})
        )
    steps += [
        Step("告知", d.post("ZG/FP"), (1, 2), {"notice": "税务行政处罚事项告知书"}),
        Step(
            "决定",
            d.post("/JZ"),
            (1, 3),
            {"party": d.party.id, **facts, "decision": "处罚", "penalty": penalty},
        ),
        Step("送达", d.post("ZG/FP"), (1, 2), {"document": "税务行政处罚决定书"}),
        Step("办结", d.post("ZG/FP"), (1, 5)),
    ]
    return steps


def arrears(d: Draft) -> list[Step]:
    """税收强制执行措施 (欠税追缴): demand, order to pay by a date, then enforcement once the
    director approves; planted: enforcement first, approval afterwards."""
    rng = d.rng
    officer = d.post(f"{rng.choice(TEAMS)}/SYGL")
    steps = [
        Step(
            "立案",
            officer,
            data={
                **d.who(),
                "tax_type": rng.choice(TAX_TYPES),
                "amount": money(rng, 10_000, 2_000_000),
            },
        ),
        Step("催缴", officer, (1, 3), {"document": "催缴税款通知书"}),
        Step("责令限期缴纳", officer, (1, 3), {"deadline_days": 15}),
        Step("审核", d.post("ZG/ZGYW"), (11, 16), {"opinion": "逾期仍未缴纳，建议强制执行"}),
        Step("批准", d.post("/JZ"), (1, 2), {"measure": rng.choice(("扣缴存款", "查封财产"))}),
        Step("强制执行", officer, (1, 3), {"document": "税收强制执行决定书"}),
        Step("办结", officer, (1, 5)),
    ]
    if d.kind == "out_of_order":
        steps[4], steps[5] = steps[5], steps[4]  # enforced before approval, approved later
    return steps


# --- city processes ---------------------------------------------------------------------------


def export_refund(d: Draft) -> list[Step]:
    """出口退（免）税审核: a doubtful declaration needs a 函调 before a deputy approves."""
    rng = d.rng
    doubtful = d.kind == "missing_verification" or rng.random() < 0.12
    steps = [
        Step(
            "受理",
            d.post("NFK/NFFW"),
            data={**d.who(), "amount": money(rng, 20_000, 3_000_000), "doubtful": doubtful},
        ),
        Step(
            "审核", d.post("HWS/CKTS"), (1, 3), {"opinion": "存在疑点" if doubtful else "单证相符"}
        ),
    ]
    if doubtful and d.kind != "missing_verification":
        steps.append(Step("函调", d.post("HWS/CKTS"), (2, 5), {"result": "回函无异常"}))
    steps += [
        Step("批准", d.post("/FJZ"), (1, 2), {"decision": "准予退税"}),
        Step("办结", d.post("HWS/CKTS"), (1, 2)),
    ]
    return steps


AUDIT_SOURCES = ("数据分析选案", "举报", "上级交办", "协查")
AUDIT_TEAMS = ("JCJ-JC1", "JCJ-JC2")


def audit(d: Draft) -> list[Step]:
    """对偷税行为的处罚 (稽查): selection, inspection and hearing separated; 100 万元以上 a
    major case for the committee; the penalty a multiple of the tax evaded, in the band."""
    rng = d.rng
    amount = (
        money(rng, AUDIT_COLLECTIVE, 4_000_000, 1000)
        if d.kind == "missing_collective_review"
        else money(rng, 50_000, 3_000_000, 1000)
    )
    circumstance = rng.choices(("一般", "较重", "严重"), (60, 30, 10))[0]
    maker = off_band if d.kind == "penalty_outside_band" else in_band
    rate = maker(rng, "偷税", circumstance, 0.1)
    facts = {"violation": "偷税", "circumstance": circumstance, "penalty_rate": rate}
    penalty = {**facts, "penalty": round(amount * rate)}
    inspector = d.post(f"{rng.choice(AUDIT_TEAMS)}/JCJC")
    steps = [
        Step("选案", d.post("JCJ-XA/JCXA"), data={**d.who(), "source": rng.choice(AUDIT_SOURCES)}),
        Step("立案", d.post("JCJ-XA/JCXA"), (1, 3)),
        Step("检查", inspector, (5, 15), {"party": d.party.id, "amount": amount}),
        Step("审理", d.post("JCJ-SL/JCSL"), (5, 10), penalty),
    ]
    if amount >= AUDIT_COLLECTIVE and d.kind != "missing_collective_review":
        steps.append(
            Step("集体审理", d.post("FZK/SL"), (3, 8), {"meeting": "重大税务案件审理委员会"})
        )
    steps += [
        Step("告知", d.post("JCJ-SL/JCSL"), (1, 3), {"notice": "税务行政处罚事项告知书"}),
        Step("决定", d.post("/FJZ"), (1, 3), {"party": d.party.id, "decision": "处罚", **penalty}),
        Step("送达", d.post("JCJ-ZX/JCZX"), (1, 3), {"document": "税务行政处罚决定书"}),
        Step("执行", d.post("JCJ-ZX/JCZX"), (5, 15), {"collected": round(amount * (1 + rate))}),
        Step("结案", d.post("JCJ-ZX/JCZX"), (1, 5)),
    ]
    return steps


RECONSIDERATION_DECISIONS = ("维持", "维持", "维持", "变更", "撤销", "驳回")


def reconsideration(d: Draft) -> list[Step]:
    """税务行政复议: decided by the director within 60 days of acceptance."""
    rng = d.rng
    post = d.post("FZK/XZFY")
    return [
        Step("受理", post, data={**d.who(), "matter": "不服税务处理决定"}),
        Step("审查", post, (2, 5), {"opinion": "符合受理条件"}),
        Step("听取意见", post, (3, 8), {"record": "听证笔录"}),
        Step("决定", d.post("/JZ"), (5, 12), {"decision": rng.choice(RECONSIDERATION_DECISIONS)}),
        Step("办结", post, (1, 3), {"document": "行政复议决定书"}),
    ]


# --- the list ---------------------------------------------------------------------------------

OVERDUE = {"overdue_late": 1, "overdue_open": 1, "near_deadline": 1}

PROCESSES: tuple[Process, ...] = (
    Process(
        "JMS",
        "01",
        "减免税核准",
        False,
        100,
        relief,
        {
            "four_eyes": 3,
            "missing_collective_review": 2,
            "off_hours": 2,
            "change_after_approval": 2,
            "recusal": 1,
            **OVERDUE,
            "overdue_late": 2,
        },
        {"splitting": 2},
        Limit("JM-01", "受理", "办结", 20, "workdays", 0.8),
        four_eyes=(("承办", "批准"), ("审核", "批准")),
        off_hours=("批准",),
        recusal=("承办",),
        change_post="ZG/JMS",
        pool="relief",
    ),
    Process(
        "TS",
        "06",
        "退还多缴税款",
        False,
        80,
        refund,
        {"four_eyes": 2, "off_hours": 1, "change_after_approval": 1, **OVERDUE, "overdue_late": 2},
        limit=Limit("TS-01", "受理", "办结", 30, "days", 0.8),
        four_eyes=(("审核", "批准"),),
        off_hours=("批准",),
        change_post="ZG/ZGYW",
    ),
    Process("FP", "04", "发票领用", False, 400, invoice, {"off_hours": 4}, off_hours=("发售",)),
    Process(
        "DJ",
        "09",
        "一般纳税人登记",
        False,
        200,
        registration,
        {**OVERDUE, "overdue_late": 4, "near_deadline": 2},
        limit=Limit("DJ-01", "受理", "办结", 5, "workdays", 0.6),
    ),
    Process(
        "CF",
        "11",
        "行政处罚（简易）：逾期申报",
        False,
        150,
        simple_penalty("逾期申报"),
        {"penalty_outside_band": 4, "off_hours": 2, "recusal": 1, **OVERDUE, "overdue_late": 3},
        {"first_offence_misuse": 2, "familiarity": 1},
        Limit("CF-01", "立案", "办结", 15, "workdays", 0.8),
        off_hours=("决定",),
        recusal=("调查",),
        pool="penalty",
    ),
    Process(
        "DC",
        "12",
        "行政处罚（简易）：未按期办理税务登记",
        False,
        60,
        simple_penalty("未按期办理税务登记"),
        {"penalty_outside_band": 2, "overdue_late": 1},
        {"first_offence_misuse": 1},
        Limit("CF-01", "立案", "办结", 15, "workdays", 0.8),
        pool="penalty",
    ),
    Process(
        "FW",
        "13",
        "对违反发票管理规定的处罚",
        False,
        40,
        invoice_penalty,
        {
            "four_eyes": 2,
            "missing_collective_review": 1,
            "penalty_outside_band": 1,
            "overdue_late": 1,
            "near_deadline": 1,
        },
        limit=Limit("FW-02", "立案", "办结", 90, "days", 0.8),
        four_eyes=(("调查", "审理"),),
    ),
    Process(
        "QS",
        "08",
        "税收强制执行措施（欠税追缴）",
        False,
        40,
        arrears,
        {"out_of_order": 2, "off_hours": 1},
        off_hours=("批准",),
    ),
    Process(
        "CK",
        "11",
        "出口退（免）税审核",
        True,
        500,
        export_refund,
        {
            "four_eyes": 8,
            "missing_verification": 5,
            "off_hours": 6,
            "change_after_approval": 5,
            "recusal": 2,
            "overdue_late": 8,
            "overdue_open": 2,
            "near_deadline": 3,
        },
        limit=Limit("CK-02", "受理", "办结", 20, "workdays", 0.8),
        four_eyes=(("审核", "批准"),),
        off_hours=("批准",),
        recusal=("审核",),
        change_post="HWS/CKTS",
    ),
    Process(
        "JC",
        "05",
        "对偷税行为的处罚（稽查）",
        True,
        120,
        audit,
        {
            "four_eyes": 3,
            "missing_collective_review": 2,
            "penalty_outside_band": 3,
            "recusal": 2,
            "off_hours": 2,
            "overdue_late": 2,
            "overdue_open": 1,
            "near_deadline": 2,
        },
        limit=Limit("JC-03", "立案", "结案", 180, "days", 0.8),
        four_eyes=(("检查", "审理"),),
        off_hours=("决定",),
        recusal=("检查",),
    ),
    Process(
        "FY",
        "10",
        "税务行政复议",
        True,
        30,
        reconsideration,
        {"overdue_late": 1, "near_deadline": 1},
        limit=Limit("FY-01", "受理", "决定", 60, "days", 0.8),
    ),
)
