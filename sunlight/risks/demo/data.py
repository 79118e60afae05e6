"""The demo bureau's risk register, written down once: for each power item whose process the demo
rules watch, the risk points on the posts that run it, graded, with their control measures.

Posts and units are named by their key below the bureau, as in the org demo
(``"ZG/JMS"`` → ``SL01-ZG-JMS``; ``"/FJZ"`` → ``SL01-FJZ``; ``""`` → the bureau itself). A
measure's ``rule`` is a rule id of ``monitoring/demo/data/rules.yaml``; every one of its rules
backs at least one measure here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sunlight.risks.models import MeasureKind as K


@dataclass(frozen=True)
class MeasureSpec:
    text: str
    kind: str
    post: str | None = None  # the responsible post, "unit/post"
    rule: str = ""


@dataclass(frozen=True)
class PointSpec:
    name: str
    unit: str  # unit key below the bureau ("" is the bureau)
    post: str | None  # post key in that unit
    step: str
    manifestation: str
    cause: str
    likelihood: int
    impact: int
    measures: tuple[MeasureSpec, ...]
    published: bool = True


@dataclass(frozen=True)
class ItemSpec:
    key: str  # FX-<bureau>-<key>
    name: str
    power: str | None  # power item key: QL-<bureau>-<power>
    points: tuple[PointSpec, ...]


def _general(
    oversight: str,
    personnel: str,
    four_eyes: tuple[MeasureSpec, ...],
    hearing: tuple[str, str | None, tuple[MeasureSpec, ...]],
) -> ItemSpec:
    """The risks every approval process shares; ``oversight`` is the internal-control post,
    ``hearing`` the unit, post and measures of the separation of investigation and review."""
    return ItemSpec(
        "TY",
        "执法审批权力运行（通用）",
        None,
        (
            PointSpec(
                "一人包揽承办、审核、批准，分权制衡失效",
                "",
                "FJZ",
                "审核、批准",
                "同一人既承办或审核又批准同一事项，使层级把关流于形式，"
                "为违规审批、以权谋私留下空间。",
                "人员紧张时临时顶岗、系统未强制校验经办人员，岗位之间缺少相互制约。",
                2,
                3,
                (
                    *four_eyes,
                    MeasureSpec(
                        "每季度抽查审批事项的经办人员记录，发现一人包办的逐件核实说明。",
                        K.SUPERVISION,
                        oversight,
                    ),
                ),
            ),
            PointSpec(
                "查审不分，调查人员审理本人调查的案件",
                hearing[0],
                hearing[1],
                "调查、审理",
                "调查（检查）人员同时参与本案审理，自查自审，对案件定性和处罚失去制约，"
                "为查而不处、重错轻罚留下空间。",
                "审理力量不足时由调查人员兼办，系统未校验调查与审理人员。",
                2,
                3,
                hearing[2],
            ),
            PointSpec(
                "非工作时间违规审批、决定或发售发票",
                "",
                "FJZ",
                "批准、决定、发售",
                "在节假日或工作时间以外办理审批、作出处罚决定或发售发票，规避正常的监督和复核。",
                "业务系统全天可登录，非工作时间的操作缺少登记和事后核查。",
                2,
                2,
                (
                    MeasureSpec(
                        "批准、决定和发票发售限定在工作日工作时间内，系统对时间外操作实时预警。",
                        K.TECHNOLOGY,
                        oversight,
                        "WT-01",
                    ),
                    MeasureSpec(
                        "确需在工作时间外办理的，事先报分管领导同意并登记事由。",
                        K.RULE,
                        "/FJZ",
                    ),
                ),
            ),
            PointSpec(
                "未按规定回避",
                "",
                None,
                "受理、承办、审核、调查、审理、批准、决定",
                "与当事人有近亲属关系或其他利害关系的人员不主动回避，仍参与办理相关事项，"
                "借机为亲友谋取利益。",
                "干部亲属关系和利害关系底数不清，回避依靠本人自觉申报。",
                2,
                3,
                (
                    MeasureSpec(
                        "对照干部亲属及利害关系台账自动比对经办人员与当事人，发现关联即时预警。",
                        K.TECHNOLOGY,
                        oversight,
                        "RC-01",
                    ),
                    MeasureSpec(
                        "建立干部亲属从业及利害关系申报台账，每年更新一次。",
                        K.RULE,
                        personnel,
                    ),
                ),
            ),
            PointSpec(
                "批准后擅自变更金额",
                "",
                None,
                "批准后",
                "减免税、退税事项批准后，在系统中擅自修改减免或退还金额，使实际执行与批准不一致。",
                "批准后的数据修改缺少锁定和留痕比对。",
                1,
                3,
                (
                    MeasureSpec(
                        "批准后锁定金额，任何变更须重新报批，系统对批准后改动金额实时预警。",
                        K.TECHNOLOGY,
                        oversight,
                        "NC-01",
                    ),
                ),
            ),
        ),
    )


FOUR_EYES = (
    MeasureSpec("承办与批准分岗办理，承办人不得批准本人承办的事项。", K.PROCESS, "/FJZ", "SOD-01"),
    MeasureSpec("审核与批准分岗办理，审核人不得批准本人审核的事项。", K.PROCESS, "/FJZ", "SOD-02"),
)

COUNTY_HEARING = (
    "FZ",
    "FZSH",
    (MeasureSpec("处罚案件查审分离，调查人员不得参与本案审理。", K.PROCESS, "FZ/FZSH", "SOD-03"),),
)

CITY_HEARING = (
    "JCJ-SL",
    "JCSL",
    (
        MeasureSpec(
            "处罚案件查审分离，调查人员不得参与本案审理。", K.PROCESS, "FZK/FZSH", "SOD-03"
        ),
        MeasureSpec(
            "稽查选案、检查、审理、执行四分离，检查人员不得参与本案审理。",
            K.PROCESS,
            "JCJ-SL/JCSL",
            "SOD-04",
        ),
    ),
)

COUNTY_ITEMS: tuple[ItemSpec, ...] = (
    _general("JC/NKJD", "RS/RSGL", FOUR_EYES, COUNTY_HEARING),
    ItemSpec(
        "01",
        "减免税核准",
        "01",
        (
            PointSpec(
                "违规减免税款",
                "ZG",
                "JMS",
                "承办、审核",
                "对不符合减免条件的申请降低标准予以受理、审核通过，或人为扩大减免范围、"
                "提高减免额度，为纳税人谋取不正当利益。",
                "减免税政策条款多、更新快，审核依赖承办人个人判断；大额减免如不经集体审理，"
                "决定权过于集中。",
                2,
                3,
                (
                    MeasureSpec(
                        "减免税额 50 万元以上的，提交局务会议集体审理后方可批准。",
                        K.RULE,
                        "/JZ",
                        "JM-02",
                    ),
                    MeasureSpec(
                        "减免税事项办结后在办税服务厅和门户网站公示，接受社会监督。",
                        K.SUPERVISION,
                        "BGS/ZWGK",
                    ),
                ),
            ),
            PointSpec(
                "拆分减免税申请规避集体审理",
                "ZG",
                "JMS",
                "受理、承办",
                "授意或默许纳税人将同一减免事项拆分为多笔申请，"
                "使单笔金额低于 50 万元的集体审理标准。",
                "集体审理以单笔金额为标准，跨案件的拆分行为靠人工难以发现。",
                2,
                2,
                (
                    MeasureSpec(
                        "系统按纳税人 30 日内累计申请额监控拆分申请，接近标准的逐件核查。",
                        K.TECHNOLOGY,
                        "JC/NKJD",
                        "JM-03",
                    ),
                ),
            ),
            PointSpec(
                "超期办理减免税",
                "ZG",
                "JMS",
                "承办",
                "对减免税申请拖延不办，超过 20 个工作日办结时限，或借故刁难、吃拿卡要。",
                "缺少对办理时限的实时提醒，超期情况往往事后才被发现。",
                2,
                1,
                (
                    MeasureSpec(
                        "受理后 20 个工作日内办结，到期前系统提前预警。",
                        K.TECHNOLOGY,
                        "ZG/JMS",
                        "JM-01",
                    ),
                    MeasureSpec("限时办结情况按月通报并纳入绩效考评。", K.SUPERVISION, "JC/NKJD"),
                ),
            ),
        ),
    ),
    ItemSpec(
        "06",
        "退还多缴税款",
        "06",
        (
            PointSpec(
                "违规办理退税",
                "ZG",
                "ZGYW",
                "审核",
                "对不属于多缴的税款予以退还，或虚增退税金额，造成国家税款流失。",
                "退税审核依赖纳税人提供的资料，入库凭证与申报数据的比对不严。",
                2,
                3,
                (
                    MeasureSpec(
                        "退税审核须逐笔核对入库凭证与申报数据，审核意见写明核对结果。",
                        K.PROCESS,
                        "ZG/ZGYW",
                    ),
                    MeasureSpec(
                        "按季度抽查已办结的退税事项，抽查比例不低于 10%。",
                        K.SUPERVISION,
                        "JC/NKJD",
                    ),
                ),
            ),
            PointSpec(
                "超期退还税款",
                "ZG",
                "ZGYW",
                "审核",
                "接到退税申请后拖延办理，超过 30 日未查实退还，损害纳税人权益。",
                "退税流程环节多，缺少全程时限监控。",
                2,
                1,
                (
                    MeasureSpec(
                        "自受理之日起 30 日内办结，到期前系统提前预警。",
                        K.TECHNOLOGY,
                        "ZG/ZGYW",
                        "TS-01",
                    ),
                ),
            ),
        ),
    ),
    ItemSpec(
        "09",
        "一般纳税人登记",
        "09",
        (
            PointSpec(
                "超期办理登记、刁难纳税人",
                "NF-BST",
                "BSFW",
                "受理、办结",
                "对资料齐全的登记申请拖延办理，超过 5 个工作日时限，或要求纳税人重复报送资料。",
                "窗口业务量大，办理进度缺少提醒和评价。",
                1,
                1,
                (
                    MeasureSpec(
                        "受理后 5 个工作日内办结，到期前系统提前预警。",
                        K.TECHNOLOGY,
                        "NF-BST/BSFW",
                        "DJ-01",
                    ),
                    MeasureSpec(
                        "办税服务实行“好差评”，差评件由纳税服务股逐件回访。",
                        K.SUPERVISION,
                        "NF/NFFW",
                    ),
                ),
            ),
        ),
    ),
    ItemSpec(
        "04",
        "发票领用",
        "04",
        (
            PointSpec(
                "违规发售发票",
                "ZG",
                "FP",
                "发售",
                "为不符合条件的纳税人超量、超范围发售发票，为虚开发票提供便利。",
                "发票领用数量核定依赖人工判断，领用存情况核对不及时。",
                2,
                2,
                (
                    MeasureSpec(
                        "发票发售实行系统限量控制，超过核定数量的须经审批。",
                        K.PROCESS,
                        "ZG/FP",
                    ),
                    MeasureSpec(
                        "每月核对发票领用存情况，异常的移交纳税评估。", K.SUPERVISION, "FJ1/NSPG"
                    ),
                ),
            ),
        ),
    ),
    ItemSpec(
        "11",
        "逾期申报处罚（简易程序）",
        "11",
        (
            PointSpec(
                "滥用自由裁量权",
                "FJ1",
                "FJZ",
                "决定",
                "对同类违法行为处罚畸轻畸重，罚款超出自由裁量基准幅度，或以罚代管、人情处罚。",
                "裁量基准执行依赖个人理解，处罚决定缺少与基准的自动比对。",
                3,
                2,
                (
                    MeasureSpec(
                        "罚款须在自由裁量基准的幅度内，系统按违法情节自动比对并预警。",
                        K.TECHNOLOGY,
                        "FZ/FZSH",
                        "CF-02",
                    ),
                    MeasureSpec("处罚决定书载明适用的裁量档次和理由。", K.RULE, "FJ1/FJZ"),
                ),
            ),
            PointSpec(
                "违规适用首违不罚",
                "FJ1",
                "FJZ",
                "决定",
                "对 6 个月内有同类违法行为的当事人适用首违不罚，变相免除处罚。",
                "首违不罚清单执行时未核查当事人的违法记录。",
                2,
                2,
                (
                    MeasureSpec(
                        "适用首违不罚前系统核查当事人 6 个月内的同类违法记录。",
                        K.TECHNOLOGY,
                        "FZ/FZSH",
                        "CF-03",
                    ),
                ),
            ),
            PointSpec(
                "超期办理处罚案件",
                "FJ1-SY1",
                "SYGL",
                "立案至办结",
                "简易程序案件立案后拖延不办，超过 15 个工作日时限，或久拖不结、查而不处。",
                "案件进度缺少全程监控。",
                2,
                1,
                (
                    MeasureSpec(
                        "立案后 15 个工作日内办结，到期前系统提前预警。",
                        K.TECHNOLOGY,
                        "FJ1/FJZ",
                        "CF-01",
                    ),
                ),
            ),
            PointSpec(
                "人情执法、选择性执法",
                "FJ1-SY1",
                "SYGL",
                "调查",
                "同一税源管理员长期对同一纳税人立案调查，形成利益关系，查而不处或选择性执法。",
                "税源管理员长期固定管户，与纳税人接触频繁。",
                2,
                2,
                (
                    MeasureSpec(
                        "同一税源管理员 180 天内调查同一纳税人案件超过 3 件的，系统预警并核查。",
                        K.TECHNOLOGY,
                        "JC/NKJD",
                        "CF-04",
                    ),
                    MeasureSpec("税源管理员分管户每三年轮换一次。", K.RULE, "RS/RSGL"),
                ),
            ),
        ),
    ),
    ItemSpec(
        "13",
        "对违反发票管理规定的处罚",
        "13",
        (
            PointSpec(
                "应集体审理而未审理",
                "",
                "JZ",
                "审理、决定",
                "罚款 1 万元以上的案件不提交重大税务案件审理委员会审理，由个人直接决定。",
                "对集体审理标准掌握不严，审理程序可被绕开。",
                1,
                3,
                (
                    MeasureSpec(
                        "罚款 1 万元以上的发票违法案件须经集体审理后方可决定。",
                        K.RULE,
                        "FZ/SL",
                        "FW-01",
                    ),
                ),
            ),
            PointSpec(
                "处罚案件久拖不结",
                "ZG",
                "FP",
                "立案至办结",
                "一般程序案件立案后超过 90 日未办结，或搁置案件不予处理。",
                "案件进度缺少全程监控。",
                2,
                1,
                (
                    MeasureSpec(
                        "立案后 90 日内办结，到期前系统提前预警。", K.TECHNOLOGY, "ZG/FP", "FW-02"
                    ),
                ),
            ),
        ),
    ),
    ItemSpec(
        "08",
        "税收强制执行措施",
        "08",
        (
            PointSpec(
                "违规采取强制执行措施",
                "FJ1-SY1",
                "SYGL",
                "责令限期缴纳、强制执行",
                "未责令限期缴纳或未经局长批准即扣缴存款、查封财产，侵害纳税人合法权益；"
                "或对应执行的欠税不执行。",
                "执行程序环节多，先后顺序缺少系统校验。",
                1,
                3,
                (
                    MeasureSpec(
                        "强制执行须在责令限期缴纳和局长批准之后，系统校验先后顺序。",
                        K.PROCESS,
                        "/JZ",
                        "QS-01",
                    ),
                ),
            ),
        ),
    ),
)

CITY_ITEMS: tuple[ItemSpec, ...] = (
    _general("JCS/NKJD", "RSK/RSGL", FOUR_EYES, CITY_HEARING),
    ItemSpec(
        "11",
        "出口退（免）税审核",
        "11",
        (
            PointSpec(
                "违规办理出口退税",
                "HWS",
                "CKTS",
                "审核、函调",
                "对存在疑点的出口退税申报未经函调核实即审核通过，致使骗取出口退税得逞。",
                "疑点核实耗时长，存在为赶进度省略函调的倾向。",
                2,
                3,
                (
                    MeasureSpec(
                        "存在疑点的出口退税须函调核实后方可审批，系统校验函调记录。",
                        K.PROCESS,
                        "HWS/CKTS",
                        "CK-01",
                    ),
                    MeasureSpec("出口退税疑点实行分级复核。", K.RULE, "/FJZ"),
                ),
            ),
            PointSpec(
                "超期办理出口退税",
                "HWS",
                "CKTS",
                "受理至办结",
                "受理后拖延办理，超过 20 个工作日时限，影响企业资金周转。",
                "审核量大，办理进度缺少提醒。",
                2,
                1,
                (
                    MeasureSpec(
                        "受理后 20 个工作日内办结，到期前系统提前预警。",
                        K.TECHNOLOGY,
                        "HWS/CKTS",
                        "CK-02",
                    ),
                ),
            ),
        ),
    ),
    ItemSpec(
        "05",
        "对偷税行为的处罚",
        "05",
        (
            PointSpec(
                "重大案件未经集体审理",
                "JCJ-SL",
                "JCSL",
                "审理",
                "偷税 100 万元以上的重大案件不提交重大税务案件审理委员会审理，由个人或科室决定。",
                "重大案件标准掌握不严，审理委员会程序可被绕开。",
                2,
                3,
                (
                    MeasureSpec(
                        "偷税 100 万元以上的案件须经重大税务案件审理委员会审理。",
                        K.RULE,
                        "FZK/SL",
                        "JC-01",
                    ),
                ),
            ),
            PointSpec(
                "滥用罚款倍数裁量权",
                "JCJ-SL",
                "JCSL",
                "审理",
                "对偷税行为选择畸轻畸重的罚款倍数，超出裁量基准幅度，为当事人说情开脱。",
                "罚款倍数幅度大（百分之五十以上五倍以下），裁量空间大。",
                2,
                3,
                (
                    MeasureSpec(
                        "罚款倍数须在裁量基准幅度内，系统按违法情节自动比对并预警。",
                        K.TECHNOLOGY,
                        "FZK/FZSH",
                        "JC-02",
                    ),
                ),
            ),
            PointSpec(
                "稽查案件久查不结",
                "JCJ-JC1",
                "JCJC",
                "检查",
                "立案后拖延检查，超过 180 日不结案，或以查代罚、查而不结。",
                "检查周期长，案件进度缺少监控。",
                2,
                2,
                (
                    MeasureSpec(
                        "立案后 180 日内结案，到期前系统提前预警。",
                        K.TECHNOLOGY,
                        "JCJ-XA/JCXA",
                        "JC-03",
                    ),
                ),
            ),
        ),
    ),
    ItemSpec(
        "10",
        "税务行政复议",
        "10",
        (
            PointSpec(
                "超期作出复议决定",
                "FZK",
                "XZFY",
                "受理至决定",
                "受理复议申请后拖延审查，超过 60 日未作出决定。",
                "复议案件办理缺少时限提醒。",
                1,
                2,
                (
                    MeasureSpec(
                        "自受理之日起 60 日内作出决定，到期前系统提前预警。",
                        K.TECHNOLOGY,
                        "FZK/XZFY",
                        "FY-01",
                    ),
                    MeasureSpec("复议案件实行集体讨论。", K.RULE, "FZK/XZFY"),
                ),
                published=False,
            ),
        ),
    ),
)
