"""What the demo bureau is made of, written down once: the unit tree, the posts with their duties,
the power list with its legal bases, and the year's goals.

The city bureau and each county bureau share templates (every county has the same sections and
posts, as real county bureaus do); the loader stamps them out under different codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sunlight.org.models import PowerCategory as C
from sunlight.org.models import PowerType as T
from sunlight.org.models import UnitKind as K


@dataclass(frozen=True)
class UnitSpec:
    key: str  # appended to the parent's code: SL01 + ZG → SL01-ZG
    name: str  # appended to the bureau's name unless ``own_name``
    kind: str
    children: tuple[UnitSpec, ...] = ()
    own_name: bool = False


@dataclass(frozen=True)
class PostSpec:
    key: str
    name: str
    power_type: str
    duties: tuple[str, ...]
    high_risk: bool = False
    term_limit_years: int | None = None
    holders: int = 1  # how many staff hold the post today
    description: str = ""


@dataclass(frozen=True)
class PowerSpec:
    key: str
    name: str
    category: str
    power_type: str
    unit: str  # unit key path below the bureau ("" is the bureau itself)
    post: str | None  # post key in that unit
    bases: tuple[tuple[str, str], ...]
    time_limit_days: int | None = None
    is_public: bool = True
    description: str = ""


CITY_CODE = "SL"
CITY_NAME = "示例市税务局"
COUNTIES = (
    ("SL01", "示例市东城区税务局"),
    ("SL02", "示例市西湖县税务局"),
    ("SL03", "示例市南山县税务局"),
    ("SL04", "示例市北河县税务局"),
)

# --- laws (the names exactly as promulgated) ----------------------------------------------------

TAX_ADMIN_LAW = "《中华人民共和国税收征收管理法》"
TAX_ADMIN_RULES = "《中华人民共和国税收征收管理法实施细则》"
PENALTY_LAW = "《中华人民共和国行政处罚法》"
LICENSING_LAW = "《中华人民共和国行政许可法》"
RECONSIDERATION_LAW = "《中华人民共和国行政复议法》"
INVOICE_RULES = "《中华人民共和国发票管理办法》"
CIT_LAW = "《中华人民共和国企业所得税法》"
IIT_LAW = "《中华人民共和国个人所得税法》"
VAT_LAW = "《中华人民共和国增值税法》"
CIVIL_SERVANT_LAW = "《中华人民共和国公务员法》"
PROCUREMENT_LAW = "《中华人民共和国政府采购法》"
BUDGET_LAW = "《中华人民共和国预算法》"
STATE_ASSETS_RULES = "《行政事业性国有资产管理条例》"
CADRE_RULES = "《党政领导干部选拔任用工作条例》"
AUSTERITY_RULES = "《党政机关厉行节约反对浪费条例》"
GENERAL_TAXPAYER_RULES = "《增值税一般纳税人登记管理办法》"
INSPECTION_RULES = "《税务稽查案件办理程序规定》"
MAJOR_CASE_RULES = "《重大税务案件审理办法》"
TAX_RECONSIDERATION_RULES = "《税务行政复议规则》"
LICENSING_DECISION = "《国务院对确需保留的行政审批项目设定行政许可的决定》"

# --- posts: one template per kind of post, with the duties its holders drafted -----------------

DIRECTOR = PostSpec(
    "JZ",
    "局长岗",
    T.DECIDE,
    (
        "主持局务会议，对本局重大事项决策、重要干部任免、重大项目安排和大额资金使用实行集体决策。",
        "落实党风廉政建设主体责任，签订党风廉政建设责任书并督促班子成员落实“一岗双责”。",
        "审定年度税收收入计划和工作目标，组织考核各部门、各分局目标完成情况。",
        "依照重大税务案件审理委员会的集体审理意见，对重大税务行政处罚和强制执行事项作出决定。",
    ),
    high_risk=True,
    term_limit_years=6,
    description="单位主要负责人，对本单位工作负总责。",
)
DEPUTY = PostSpec(
    "FJZ",
    "副局长岗",
    T.DECIDE,
    (
        "协助局长工作，分管征收管理、纳税服务等业务条线，对分管范围内的执法质量负领导责任。",
        "按授权审批分管范围内的减免税、延期缴纳税款等涉税事项，不得超越权限审批。",
        "落实“一岗双责”，每季度听取分管部门廉政风险防控情况汇报并开展廉政谈话。",
        "参加重大税务案件审理委员会会议，依照审理意见发表表决意见。",
    ),
    holders=2,
)
SECRETARY = PostSpec(
    "WM",
    "文秘综合岗",
    T.EXECUTE,
    (
        "负责局务会议、党委会议的组织和会议纪要的起草、印发。",
        "负责公文收发、流转、归档，督办重要文件和领导批示事项的办理。",
        "负责机要、保密和印章管理，严格执行用印登记审批制度。",
    ),
)
DISCLOSURE = PostSpec(
    "ZWGK",
    "政务公开岗",
    T.EXECUTE,
    (
        "负责税收政策、办税流程、权力清单和权力运行流程图的公开与及时更新。",
        "受理、转办纳税人通过网站和热线提出的意见、投诉，跟踪办理结果并答复。",
        "组织开展政风行风评议，汇总分析纳税人满意度调查结果。",
    ),
)
LEGAL_REVIEW = PostSpec(
    "FZSH",
    "法制审核岗",
    T.SUPERVISE,
    (
        "对重大执法决定进行法制审核，审查执法主体、事实证据、法律依据、裁量基准和程序。",
        "负责税收规范性文件的合法性审核和定期清理，按规定报送备案。",
        "组织税收执法检查，开展执法过错责任追究的调查和认定。",
        "监控行政处罚裁量基准的执行情况，对偏离基准的处罚提出纠正意见。",
    ),
)
CASE_REVIEW = PostSpec(
    "SL",
    "重大税务案件审理岗",
    T.DECIDE,
    (
        "受理重大税务案件审理提请，审查案卷材料是否齐全、证据是否确实充分。",
        "提出初审意见，提交重大税务案件审理委员会集体审理，制作审理意见书。",
        "跟踪审理委员会决定的执行情况，审理案卷按规定立卷归档。",
    ),
    high_risk=True,
    term_limit_years=5,
)
RECONSIDERATION = PostSpec(
    "XZFY",
    "行政复议岗",
    T.DECIDE,
    (
        "受理税务行政复议申请，审查申请是否符合受理条件并在法定期限内决定是否受理。",
        "调查取证，听取申请人和被申请人意见，在法定期限内提出复议决定建议。",
        "办理行政应诉事务，统计分析复议应诉案件，提出规范执法的建议。",
    ),
)
COLLECTION = PostSpec(
    "ZGYW",
    "征管业务岗",
    T.EXECUTE,
    (
        "负责税务登记、纳税申报、税款征收等征管业务的组织实施和质量监控。",
        "按月分析申报率、入库率和欠税增减变化，提出加强征管的措施。",
        "负责非正常户认定及解除的审核，跟踪非正常户的后续管理。",
        "开展征管数据质量检查，督促相关岗位及时更正错误数据。",
    ),
    holders=2,
)
RELIEF = PostSpec(
    "JMS",
    "减免税审核岗",
    T.DECIDE,
    (
        "受理纳税人减免税申请，审核申请材料的真实性、完整性和适用政策的准确性。",
        "在规定时限内提出审核意见并按权限报批，不得超越权限审批减免税。",
        "对减免税备案事项开展后续管理，核查享受优惠条件的持续情况。",
        "按季统计分析减免税执行情况，建立减免税管理台账。",
    ),
    high_risk=True,
    term_limit_years=5,
    description="决策类高风险岗位：减免税审批与执行、监督分设，任职满5年须交流。",
)
INVOICE = PostSpec(
    "FP",
    "发票管理岗",
    T.EXECUTE,
    (
        "负责发票的领用、发放、缴销和库存管理，做到账证相符、账实相符。",
        "审核增值税专用发票最高开票限额申请，按规定实地核查后提出审核意见。",
        "开展发票使用情况检查，对异常发票和失控发票及时核查处理。",
        "管理税控设备的发行和注销，定期核对税控系统数据。",
    ),
    high_risk=True,
    term_limit_years=5,
)
TAXPAYER_SERVICE = PostSpec(
    "NFFW",
    "纳税服务岗",
    T.EXECUTE,
    (
        "负责纳税咨询、政策宣传辅导和纳税人学堂的组织实施。",
        "落实首问责任、限时办结和一次性告知制度，受理并处理纳税服务投诉。",
        "开展纳税信用评价的数据采集、审核和结果发布工作。",
    ),
)
COUNTER = PostSpec(
    "BSFW",
    "办税服务岗",
    T.EXECUTE,
    (
        "负责办税服务厅涉税事项的受理、办理和文书传递，按时限要求办结。",
        "对纳税人提交的资料进行完整性审查，资料不全的一次性告知需补正的内容。",
        "负责窗口票款结报，做到日清日结，不得滞留、挪用税款。",
    ),
    holders=3,
)
PERSONNEL = PostSpec(
    "RSGL",
    "人事管理岗",
    T.DECIDE,
    (
        "负责干部考核、选拔任用、交流轮岗方案的拟定和组织实施。",
        "建立重点岗位人员任职台账，对任职满期的人员提出轮岗交流建议。",
        "负责干部人事档案管理，严格执行档案查借阅审批制度。",
        "负责领导干部个人有关事项报告的收集、汇总和抽查核实。",
    ),
    high_risk=True,
    term_limit_years=5,
)
TRAINING = PostSpec(
    "JYPX",
    "教育培训岗",
    T.EXECUTE,
    (
        "制定年度教育培训计划，组织业务培训和廉政教育。",
        "负责培训经费的计划编制和培训档案管理。",
        "组织岗位练兵和业务能力测试，建立干部学习档案。",
    ),
)
FINANCE_REVIEW = PostSpec(
    "CWSH",
    "财务审核岗",
    T.SUPERVISE,
    (
        "审核各项经费支出的真实性、合规性，对不符合规定的支出拒绝报销。",
        "编制年度部门预算和决算，监督预算执行进度。",
        "定期盘点核对库存现金和银行存款，编制银行存款余额调节表。",
        "配合开展经济责任审计和财务收支审计，落实审计整改意见。",
    ),
    high_risk=True,
    term_limit_years=5,
)
CASHIER = PostSpec(
    "CN",
    "出纳岗",
    T.EXECUTE,
    (
        "负责现金收付和银行结算业务，严格执行现金管理和支票管理制度。",
        "登记现金日记账和银行存款日记账，做到日清月结。",
        "不得兼任稽核、会计档案保管和收入、支出、费用、债权债务账目的登记工作。",
    ),
    high_risk=True,
    term_limit_years=5,
)
ASSETS = PostSpec(
    "ZCGL",
    "资产管理岗",
    T.EXECUTE,
    (
        "负责固定资产的登记、领用、调拨和清查盘点，做到账卡物相符。",
        "提出资产配置和处置申请，按规定程序报批后组织实施。",
        "负责办公用品采购计划的编制和采购事项的具体组织。",
    ),
)
DISCIPLINE = PostSpec(
    "JJJC",
    "纪检监察岗",
    T.SUPERVISE,
    (
        "受理对本单位干部违纪违法问题的信访举报，按规定初核并提出处置意见。",
        "对干部选拔任用、政府采购、大额资金使用等重大事项开展监督。",
        "组织廉政教育和警示教育，督促落实廉政谈话和提醒谈话制度。",
    ),
)
INTERNAL_CONTROL = PostSpec(
    "NKJD",
    "内控监督岗",
    T.SUPERVISE,
    (
        "组织开展岗位廉政风险排查，汇总审核各岗位风险点及防控措施。",
        "对内控系统发布的预警信息进行核查，督促责任岗位限时反馈和整改。",
        "开展执法督察和内控机制运行情况评估，提出改进意见。",
        "建立廉政风险档案库，按年度更新岗位风险手册。",
    ),
)
BRANCH_HEAD = PostSpec(
    "FJZ",
    "分局长岗",
    T.DECIDE,
    (
        "主持分局全面工作，组织完成辖区税收收入任务和征管工作目标。",
        "审批辖区纳税人的核定征收、非正常户认定等事项，对审批结果负责。",
        "组织分局廉政风险防控和内控制度落实，对分局人员执法行为进行日常监督。",
        "定期调整税收管理员分户管理范围，防止长期固定管户。",
    ),
    high_risk=True,
    term_limit_years=5,
)
ASSESSMENT = PostSpec(
    "NSPG",
    "纳税评估岗",
    T.EXECUTE,
    (
        "运用纳税评估指标对纳税申报情况进行案头分析，筛选评估对象。",
        "对评估疑点进行约谈和实地核查，制作纳税评估工作底稿。",
        "对评估中发现的偷逃税嫌疑案件按规定移交稽查部门，不得以评代查、以补代罚。",
        "评估结论经复核后执行，评估资料按户归档。",
    ),
    high_risk=True,
    term_limit_years=5,
    holders=2,
)
ASSESSED_TAX = PostSpec(
    "HDZS",
    "税款核定岗",
    T.DECIDE,
    (
        "对定期定额户的生产经营情况进行调查，依照核定程序测算定额。",
        "组织定额公示，受理纳税人对定额的异议并进行复核。",
        "审核核定征收企业的应税所得率，按规定调整核定结果。",
    ),
    high_risk=True,
    term_limit_years=5,
)
TAX_SOURCE = PostSpec(
    "SYGL",
    "税源管理岗",
    T.EXECUTE,
    (
        "负责分管纳税人的户籍管理，核实登记信息，掌握其生产经营和财务核算情况。",
        "按月开展税源巡查，对申报异常的纳税人进行核实并记录。",
        "对逾期未申报、未缴纳税款的纳税人催报催缴，依法下达责令限期改正通知书。",
        "采集和维护纳税人涉税信息，做好户管档案的收集、整理和归档。",
        "执行分户管理回避制度，与管户纳税人存在利害关系的主动申请回避。",
    ),
    high_risk=True,
    term_limit_years=5,
    holders=4,
    description="执行类高风险岗位：直接管户，实行定期轮换分管户。",
)
EXPORT_REFUND = PostSpec(
    "CKTS",
    "出口退税审核岗",
    T.DECIDE,
    (
        "审核出口企业退（免）税申报数据及单证信息，比对海关报关单和增值税发票信息。",
        "对审核疑点开展函调和实地核查，疑点未排除前不得审批退税。",
        "按规定权限出具退（免）税审核意见，建立出口退税审批台账。",
        "开展出口退税事后评估和预警核查，发现骗税线索及时移交稽查。",
    ),
    high_risk=True,
    term_limit_years=5,
)
TAX_POLICY = PostSpec(
    "SZGL",
    "税政管理岗",
    T.EXECUTE,
    (
        "负责增值税、消费税政策的贯彻落实和执行情况分析。",
        "解答基层单位政策执行中的疑难问题，提出统一执行口径的建议。",
        "开展重点行业税负分析，提出加强管理的措施。",
    ),
)
INCOME_TAX_RELIEF = PostSpec(
    "SDYH",
    "所得税优惠管理岗",
    T.DECIDE,
    (
        "组织高新技术企业、小型微利企业等所得税优惠政策的落实和后续管理。",
        "审核企业所得税汇算清缴中的优惠事项，对异常情况组织核查。",
        "对个人所得税减征事项的执行情况开展检查和分析。",
    ),
    high_risk=True,
    term_limit_years=5,
)
ARREARS = PostSpec(
    "QSGL",
    "欠税管理岗",
    T.EXECUTE,
    (
        "建立欠税台账，按月分析欠税变化，督促基层单位清理欠税。",
        "组织欠税公告，对欠税人出境按程序提出阻止出境建议并报批。",
        "审核税收保全和强制执行措施的实施情况，确保程序合法。",
    ),
)
REVENUE = PostSpec(
    "SRHS",
    "收入核算岗",
    T.EXECUTE,
    (
        "负责税收收入统计、会计核算和税收计划执行情况分析。",
        "与国库定期对账，监控税款入库、退库的合规性。",
        "对提退税、更正类业务进行复核，防止违规退库。",
    ),
)
PROCUREMENT = PostSpec(
    "ZFCG",
    "政府采购岗",
    T.EXECUTE,
    (
        "编制政府采购预算和采购计划，按规定确定采购方式。",
        "组织采购需求论证和采购文件编制，不得化整为零规避公开招标。",
        "组织履约验收，建立政府采购档案，接受纪检监察和审计监督。",
    ),
    high_risk=True,
    term_limit_years=5,
)
CADRE_OVERSIGHT = PostSpec(
    "GBJD",
    "干部监督岗",
    T.SUPERVISE,
    (
        "负责干部选拔任用工作全程纪实和“一报告两评议”的组织。",
        "核查领导干部个人有关事项报告，处理干部监督方面的举报。",
        "对交流轮岗制度的执行情况进行监督检查。",
    ),
)
AUDIT = PostSpec(
    "DCNS",
    "督察内审岗",
    T.SUPERVISE,
    (
        "制定年度督察内审计划，对税收执法和财务管理情况开展督察审计。",
        "抽查执法案卷和财务凭证，核实问题并形成督察内审报告。",
        "跟踪督察内审发现问题的整改落实，对整改不到位的提请责任追究。",
        "组织开展领导干部经济责任审计。",
    ),
    holders=2,
)
CASE_SELECTION = PostSpec(
    "JCXA",
    "稽查选案岗",
    T.DECIDE,
    (
        "运用案源信息系统和数据分析筛选稽查对象，提出选案建议。",
        "对检举、转办、交办案源进行登记、分类和甄别，按规定立案。",
        "选案结果经集体研究确定，不得指定或擅自变更检查对象。",
        "建立案源管理台账，对未立案案源说明理由并存档。",
    ),
    high_risk=True,
    term_limit_years=5,
)
FIELD_AUDIT = PostSpec(
    "JCJC",
    "稽查检查岗",
    T.EXECUTE,
    (
        "依法实施税务检查，检查人员不少于两人并出示税务检查证和税务检查通知书。",
        "调取账簿资料、询问当事人，制作询问笔录和工作底稿，确保证据确实充分。",
        "对有逃避纳税义务行为的纳税人，按规定提请采取税收保全措施。",
        "检查结束后制作税务稽查报告，连同案卷移交审理，不得自查自审。",
    ),
    high_risk=True,
    term_limit_years=5,
    holders=3,
)
CASE_HEARING = PostSpec(
    "JCSL",
    "稽查审理岗",
    T.DECIDE,
    (
        "审查稽查案件的事实、证据、定性、依据和程序，提出审理意见。",
        "对案情复杂或罚款数额较大的案件，提请重大税务案件审理委员会审理。",
        "依照裁量基准拟定处罚意见，制作税务处理决定书和税务行政处罚决定书。",
        "告知当事人陈述、申辩和要求听证的权利，对陈述申辩意见进行复核。",
    ),
    high_risk=True,
    term_limit_years=5,
    holders=2,
)
ENFORCEMENT = PostSpec(
    "JCZX",
    "稽查执行岗",
    T.EXECUTE,
    (
        "送达税务处理决定书、税务行政处罚决定书等税务文书。",
        "监督税款、滞纳金和罚款的入库，对逾期不缴纳的依法采取强制执行措施。",
        "制作执行报告，对无法执行的案件按规定提请中止或终结执行。",
    ),
    high_risk=True,
    term_limit_years=5,
)

# --- the unit trees -----------------------------------------------------------------------------

COUNTY_TREE = (
    UnitSpec("BGS", "办公室", K.DEPARTMENT),
    UnitSpec("FZ", "法制股", K.DEPARTMENT),
    UnitSpec("ZG", "征收管理股", K.DEPARTMENT),
    UnitSpec("NF", "纳税服务股", K.DEPARTMENT, (UnitSpec("BST", "办税服务厅", K.TEAM),)),
    UnitSpec("RS", "人事股", K.DEPARTMENT),
    UnitSpec("CW", "财务股", K.DEPARTMENT),
    UnitSpec("JC", "监察室", K.DEPARTMENT),
    UnitSpec(
        "FJ1",
        "第一税务分局",
        K.BRANCH,
        (UnitSpec("SY1", "税源管理一组", K.TEAM), UnitSpec("SY2", "税源管理二组", K.TEAM)),
    ),
    UnitSpec("FJ2", "第二税务分局", K.BRANCH, (UnitSpec("SY1", "税源管理组", K.TEAM),)),
)

COUNTY_POSTS: dict[str, tuple[PostSpec, ...]] = {
    "": (DIRECTOR, DEPUTY),
    "BGS": (SECRETARY, DISCLOSURE),
    "FZ": (LEGAL_REVIEW, CASE_REVIEW),
    "ZG": (COLLECTION, RELIEF, INVOICE),
    "NF": (TAXPAYER_SERVICE,),
    "NF-BST": (COUNTER,),
    "RS": (PERSONNEL, TRAINING),
    "CW": (FINANCE_REVIEW, CASHIER, ASSETS),
    "JC": (DISCIPLINE, INTERNAL_CONTROL),
    "FJ1": (BRANCH_HEAD, ASSESSMENT),
    "FJ1-SY1": (TAX_SOURCE,),
    "FJ1-SY2": (TAX_SOURCE,),
    "FJ2": (BRANCH_HEAD, ASSESSMENT, ASSESSED_TAX),
    "FJ2-SY1": (TAX_SOURCE,),
}

CITY_TREE = (
    UnitSpec("BGS", "办公室", K.DEPARTMENT),
    UnitSpec("FZK", "法制科", K.DEPARTMENT),
    UnitSpec("HWS", "货物和劳务税科", K.DEPARTMENT),
    UnitSpec("SDS", "所得税科", K.DEPARTMENT),
    UnitSpec("ZGK", "征收管理科", K.DEPARTMENT),
    UnitSpec("NFK", "纳税服务科", K.DEPARTMENT),
    UnitSpec("SRK", "收入核算科", K.DEPARTMENT),
    UnitSpec("CWK", "财务管理科", K.DEPARTMENT),
    UnitSpec("RSK", "人事科", K.DEPARTMENT),
    UnitSpec("DCK", "督察内审科", K.DEPARTMENT),
    UnitSpec("JCS", "纪检监察室（内控办）", K.DEPARTMENT),
    UnitSpec(
        "JCJ",
        "稽查局",
        K.BUREAU,
        (
            UnitSpec("XA", "选案科", K.DEPARTMENT),
            UnitSpec("JC1", "检查一科", K.DEPARTMENT),
            UnitSpec("JC2", "检查二科", K.DEPARTMENT),
            UnitSpec("SL", "审理科", K.DEPARTMENT),
            UnitSpec("ZX", "执行科", K.DEPARTMENT),
        ),
    ),
)

CITY_POSTS: dict[str, tuple[PostSpec, ...]] = {
    "": (DIRECTOR, replace(DEPUTY, holders=3)),
    "BGS": (SECRETARY, DISCLOSURE),
    "FZK": (LEGAL_REVIEW, CASE_REVIEW, RECONSIDERATION),
    "HWS": (EXPORT_REFUND, TAX_POLICY),
    "SDS": (INCOME_TAX_RELIEF,),
    "ZGK": (COLLECTION, ARREARS),
    "NFK": (TAXPAYER_SERVICE,),
    "SRK": (REVENUE,),
    "CWK": (FINANCE_REVIEW, CASHIER, ASSETS, PROCUREMENT),
    "RSK": (PERSONNEL, TRAINING, CADRE_OVERSIGHT),
    "DCK": (AUDIT,),
    "JCS": (DISCIPLINE, INTERNAL_CONTROL),
    "JCJ-XA": (CASE_SELECTION,),
    "JCJ-JC1": (FIELD_AUDIT,),
    "JCJ-JC2": (FIELD_AUDIT,),
    "JCJ-SL": (CASE_HEARING,),
    "JCJ-ZX": (ENFORCEMENT,),
}

# --- the power list -----------------------------------------------------------------------------

FIRST_OFFENCE = (PENALTY_LAW, "第三十三条")

COUNTY_POWERS = (
    PowerSpec(
        "01",
        "减免税核准",
        C.RELIEF,
        T.DECIDE,
        "ZG",
        "JMS",
        ((TAX_ADMIN_LAW, "第三十三条"),),
        time_limit_days=20,
        description="依法律、行政法规规定须经税务机关核准的减税、免税事项。",
    ),
    PowerSpec(
        "02",
        "延期缴纳税款核准（受理、初审）",
        C.COLLECTION,
        T.DECIDE,
        "ZG",
        "ZGYW",
        ((TAX_ADMIN_LAW, "第三十一条"), (TAX_ADMIN_RULES, "第四十二条")),
        time_limit_days=20,
        description="纳税人因特殊困难不能按期缴纳税款，最长延期不超过三个月，由省级税务机关批准。",
    ),
    PowerSpec(
        "03",
        "增值税专用发票（增值税税控系统）最高开票限额审批",
        C.ADMINISTRATION,
        T.DECIDE,
        "ZG",
        "FP",
        ((LICENSING_DECISION, ""), (LICENSING_LAW, "第四十二条")),
        time_limit_days=20,
    ),
    PowerSpec(
        "04",
        "发票领用",
        C.ADMINISTRATION,
        T.EXECUTE,
        "ZG",
        "FP",
        ((TAX_ADMIN_LAW, "第二十一条"), (INVOICE_RULES, "第十五条")),
    ),
    PowerSpec(
        "05",
        "核定应纳税额",
        C.COLLECTION,
        T.DECIDE,
        "FJ2",
        "HDZS",
        ((TAX_ADMIN_LAW, "第三十五条"), (TAX_ADMIN_RULES, "第四十七条")),
    ),
    PowerSpec(
        "06",
        "退还多缴税款",
        C.COLLECTION,
        T.DECIDE,
        "ZG",
        "ZGYW",
        ((TAX_ADMIN_LAW, "第五十一条"), (TAX_ADMIN_RULES, "第七十八条")),
        time_limit_days=30,
        description="纳税人申请退还的，自接到申请之日起30日内查实并办理退还手续。",
    ),
    PowerSpec(
        "07",
        "税收保全措施",
        C.COLLECTION,
        T.DECIDE,
        "",
        "JZ",
        ((TAX_ADMIN_LAW, "第三十八条"),),
        description="须经县以上税务局（分局）局长批准。",
    ),
    PowerSpec(
        "08",
        "税收强制执行措施",
        C.COLLECTION,
        T.DECIDE,
        "",
        "JZ",
        ((TAX_ADMIN_LAW, "第四十条"),),
        description="须经县以上税务局（分局）局长批准。",
    ),
    PowerSpec(
        "09",
        "一般纳税人登记",
        C.ADMINISTRATION,
        T.EXECUTE,
        "NF-BST",
        "BSFW",
        ((GENERAL_TAXPAYER_RULES, ""),),
    ),
    PowerSpec(
        "10",
        "纳税评估",
        C.ADMINISTRATION,
        T.EXECUTE,
        "FJ1",
        "NSPG",
        ((TAX_ADMIN_LAW, "第五十四条"),),
    ),
    PowerSpec(
        "11",
        "对未按规定期限办理纳税申报和报送纳税资料的处罚",
        C.PENALTY,
        T.DECIDE,
        "FJ1",
        "FJZ",
        ((TAX_ADMIN_LAW, "第六十二条"), FIRST_OFFENCE),
        description="列入首违不罚清单：首次违法、危害后果轻微并及时改正的，可以不予行政处罚。",
    ),
    PowerSpec(
        "12",
        "对未按规定办理税务登记的处罚",
        C.PENALTY,
        T.DECIDE,
        "FJ1",
        "FJZ",
        ((TAX_ADMIN_LAW, "第六十条"), FIRST_OFFENCE),
    ),
    PowerSpec(
        "13",
        "对违反发票管理规定的处罚",
        C.PENALTY,
        T.DECIDE,
        "ZG",
        "FP",
        ((INVOICE_RULES, "第三十五条"), FIRST_OFFENCE),
    ),
    PowerSpec(
        "14",
        "干部交流轮岗",
        C.PERSONNEL,
        T.DECIDE,
        "RS",
        "RSGL",
        ((CIVIL_SERVANT_LAW, "第六十九条"), (CADRE_RULES, "")),
        is_public=False,
    ),
    PowerSpec(
        "15",
        "经费支出审批",
        C.FINANCE,
        T.DECIDE,
        "CW",
        "CWSH",
        ((BUDGET_LAW, ""), (AUSTERITY_RULES, "")),
        is_public=False,
    ),
    PowerSpec(
        "16",
        "固定资产配置与处置",
        C.ASSETS,
        T.DECIDE,
        "CW",
        "ZCGL",
        ((STATE_ASSETS_RULES, ""),),
        is_public=False,
    ),
)

CITY_POWERS = (
    PowerSpec(
        "01",
        "稽查选案",
        C.INSPECTION,
        T.DECIDE,
        "JCJ-XA",
        "JCXA",
        ((TAX_ADMIN_RULES, "第八十五条"), (INSPECTION_RULES, "")),
        description="选案、检查、审理、执行相互分离、相互制约。",
    ),
    PowerSpec(
        "02",
        "税务检查",
        C.INSPECTION,
        T.EXECUTE,
        "JCJ-JC1",
        "JCJC",
        ((TAX_ADMIN_LAW, "第五十四条"), (TAX_ADMIN_LAW, "第五十七条")),
    ),
    PowerSpec(
        "03",
        "稽查案件审理",
        C.INSPECTION,
        T.DECIDE,
        "JCJ-SL",
        "JCSL",
        ((TAX_ADMIN_RULES, "第八十五条"), (PENALTY_LAW, "第五十八条")),
    ),
    PowerSpec(
        "04",
        "稽查执行",
        C.INSPECTION,
        T.EXECUTE,
        "JCJ-ZX",
        "JCZX",
        ((TAX_ADMIN_LAW, "第四十条"), (INSPECTION_RULES, "")),
    ),
    PowerSpec(
        "05",
        "对偷税行为的处罚",
        C.PENALTY,
        T.DECIDE,
        "JCJ-SL",
        "JCSL",
        ((TAX_ADMIN_LAW, "第六十三条"), (PENALTY_LAW, "第五十七条"), (PENALTY_LAW, "第六十三条")),
        description="处不缴或者少缴税款百分之五十以上五倍以下的罚款，按裁量基准分档。",
    ),
    PowerSpec(
        "06",
        "对编造虚假计税依据、不进行纳税申报的处罚",
        C.PENALTY,
        T.DECIDE,
        "JCJ-SL",
        "JCSL",
        ((TAX_ADMIN_LAW, "第六十四条"),),
    ),
    PowerSpec(
        "07",
        "对骗取出口退税行为的处罚",
        C.PENALTY,
        T.DECIDE,
        "JCJ-SL",
        "JCSL",
        ((TAX_ADMIN_LAW, "第六十六条"),),
    ),
    PowerSpec(
        "08",
        "对逃避、拒绝或者阻挠税务检查的处罚",
        C.PENALTY,
        T.DECIDE,
        "JCJ-SL",
        "JCSL",
        ((TAX_ADMIN_LAW, "第七十条"),),
    ),
    PowerSpec(
        "09",
        "重大税务案件审理",
        C.INSPECTION,
        T.DECIDE,
        "FZK",
        "SL",
        ((PENALTY_LAW, "第五十七条"), (MAJOR_CASE_RULES, "")),
    ),
    PowerSpec(
        "10",
        "税务行政复议",
        C.ADMINISTRATION,
        T.DECIDE,
        "FZK",
        "XZFY",
        (
            (TAX_ADMIN_LAW, "第八十八条"),
            (RECONSIDERATION_LAW, ""),
            (TAX_RECONSIDERATION_RULES, ""),
        ),
        time_limit_days=60,
    ),
    PowerSpec(
        "11",
        "出口退（免）税审核",
        C.RELIEF,
        T.DECIDE,
        "HWS",
        "CKTS",
        ((VAT_LAW, ""),),
    ),
    PowerSpec(
        "12",
        "企业所得税优惠事项管理",
        C.RELIEF,
        T.DECIDE,
        "SDS",
        "SDYH",
        ((CIT_LAW, "第二十七条"), (CIT_LAW, "第二十八条")),
    ),
    PowerSpec(
        "13",
        "个人所得税减征",
        C.RELIEF,
        T.DECIDE,
        "SDS",
        "SDYH",
        ((IIT_LAW, "第五条"),),
    ),
    PowerSpec(
        "14",
        "阻止欠税人出境",
        C.COLLECTION,
        T.DECIDE,
        "ZGK",
        "QSGL",
        ((TAX_ADMIN_LAW, "第四十四条"),),
    ),
    PowerSpec(
        "15",
        "欠税公告",
        C.COLLECTION,
        T.EXECUTE,
        "ZGK",
        "QSGL",
        ((TAX_ADMIN_LAW, "第四十五条"),),
    ),
    PowerSpec(
        "16",
        "公务员考核",
        C.PERSONNEL,
        T.DECIDE,
        "RSK",
        "RSGL",
        ((CIVIL_SERVANT_LAW, "第三十五条"),),
        is_public=False,
    ),
    PowerSpec(
        "17",
        "领导干部选拔任用",
        C.PERSONNEL,
        T.DECIDE,
        "RSK",
        "RSGL",
        ((CADRE_RULES, ""),),
        is_public=False,
    ),
    PowerSpec(
        "18",
        "政府采购",
        C.FINANCE,
        T.DECIDE,
        "CWK",
        "ZFCG",
        ((PROCUREMENT_LAW, "第二十六条"),),
        is_public=False,
    ),
    PowerSpec(
        "19",
        "部门预算编制与执行",
        C.FINANCE,
        T.DECIDE,
        "CWK",
        "CWSH",
        ((BUDGET_LAW, ""),),
        is_public=False,
    ),
    PowerSpec(
        "20",
        "国有资产处置",
        C.ASSETS,
        T.DECIDE,
        "CWK",
        "ZCGL",
        ((STATE_ASSETS_RULES, ""),),
        is_public=False,
    ),
)

# --- goals: the year's unit goals, broken down into post goals ---------------------------------


@dataclass(frozen=True)
class GoalSpec:
    title: str
    target: str
    posts: tuple[tuple[str, str, str, str], ...] = field(default=())  # unit, post, title, target


BUREAU_GOALS = (
    GoalSpec(
        "全面完成年度税收收入任务",
        "税收收入计划完成率≥100%，应收尽收，坚决不收“过头税”",
        (
            ("FJ1-SY1", "SYGL", "辖区户籍巡查全覆盖", "每户每季度巡查不少于1次，巡查记录完整"),
            ("FJ1", "NSPG", "纳税评估提质增效", "评估案头分析完成率100%，评估入库税款同比增长"),
        ),
    ),
    GoalSpec(
        "廉政风险防控机制有效运行",
        "岗位风险排查覆盖率100%，预警核查按期办结率100%，高风险岗位到期轮岗率100%",
        (
            ("JC", "NKJD", "预警核查限时办结", "内控预警信息5个工作日内核查反馈"),
            ("RS", "RSGL", "高风险岗位到期轮岗", "任职满5年的高风险岗位人员轮岗率100%"),
        ),
    ),
    GoalSpec(
        "涉税审批事项限时办结",
        "减免税、退税等审批事项按期办结率100%，无超时限办理",
        (("ZG", "JMS", "减免税核准按期办结", "20个工作日内办结率100%，无越权审批"),),
    ),
)

RETURN_COMMENTS = (
    "职责表述过于笼统，请明确工作标准和办理时限。",
    "与其他岗位职责存在交叉，请协调后重新表述。",
    "审批与执行职责未分设，不符合“三权”分离要求，请调整。",
    "请补充执法依据及所用文书名称。",
)
SUBMIT_COMMENT = "按岗位实际梳理，请审核。"

# --- people -------------------------------------------------------------------------------------

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
    "苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝"
)
GIVEN_MALE = "伟强磊军勇杰涛斌超明刚平辉鹏华飞鑫波宇浩凯健俊帆帅旭宁龙林洋峰建国志文博晨东亮"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀玲燕婷雪琳晶颖慧倩琴云莉洁红梅兰瑶悦欣怡佳璐丹萍薇"
RANKS = (
    "一级主任科员",
    "二级主任科员",
    "三级主任科员",
    "四级主任科员",
    "一级科员",
    "二级科员",
)
# Leadership ranks by level: a city bureau is a division-level body, a county bureau a section.
CITY_LEADER_RANKS = {"JZ": "正处级", "FJZ": "副处级"}
COUNTY_LEADER_RANKS = {"JZ": "正科级", "FJZ": "副科级"}
