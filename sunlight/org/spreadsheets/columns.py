"""The one table of the organisation's spreadsheets: sheets, columns, allowed values and notes.

Chinese headers, notes and choice words are data (the bureau's forms use them); each also has an
English twin, offered when the workbook is asked for in English. Import accepts either language,
and choice columns also accept the stored value (``bureau``), so a file survives a round trip in
whichever language it was exported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.db.models import TextChoices
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sunlight.org.models import (
    Assignment,
    AssignmentKind,
    Duty,
    Gender,
    LegalBasis,
    Post,
    PowerCategory,
    PowerItem,
    PowerType,
    Staff,
    Unit,
    UnitKind,
)

Lang = Literal["zh", "en"]
Kind = Literal["text", "int", "bool", "date", "choice", "bases"]
LegalBases = list[tuple[str, str]]

# Separators of the 执法依据 column: pairs by "；" (or ";" or a line break), law and article by "|".
BASES_SEPARATOR = "；"
_BASES_SPLIT = re.compile(r"[；;\n]+")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


def english(text: str | Promise) -> str:
    """The English form of a lazily translated source string, whatever the active language."""
    with translation.override("en"):
        return str(text)


def current_lang() -> Lang:
    return "zh" if (translation.get_language() or "zh").startswith("zh") else "en"


class CellError(ValueError):
    """A cell's value cannot be read; the message is already translated."""


@dataclass(frozen=True)
class Choice:
    value: str
    zh: str
    en: str | Promise


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str | Promise
    kind: Kind = "text"
    required: bool = False
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()
    default: Any = ""
    note_zh: str = ""
    note_en: str | Promise = ""

    def title(self, lang: Lang | None = None) -> str:
        return self.zh if (lang or current_lang()) == "zh" else english(self.en)

    def note(self, lang: Lang) -> str:
        return self.note_zh if lang == "zh" else english(self.note_en)

    def choice_words(self, lang: Lang) -> list[str]:
        return [c.zh if lang == "zh" else english(c.en) for c in self.choices]

    # -- cell → Python --------------------------------------------------------------------
    def parse(self, raw: Any) -> Any:
        """The Python value of a cell; a blank cell gives the column's default."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise CellError(_("a value is required"))
            return self.default
        reader = getattr(self, f"_parse_{self.kind}")
        return reader(raw)

    def _parse_text(self, raw: Any) -> str:
        text = _as_text(raw)
        if self.max_length is not None and len(text) > self.max_length:
            raise CellError(
                _("at most %(limit)d characters (this has %(count)d)")
                % {"limit": self.max_length, "count": len(text)}
            )
        return text

    def _parse_int(self, raw: Any) -> int:
        if isinstance(raw, bool):
            raise CellError(_("must be a whole number"))
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        if isinstance(raw, str) and raw.strip().isdigit():
            raw = int(raw.strip())
        if not isinstance(raw, int) or raw < 0:
            raise CellError(_("must be a whole number, zero or more"))
        return raw

    def _parse_bool(self, raw: Any) -> bool:
        if isinstance(raw, bool):
            return raw
        word = _as_text(raw).casefold()
        if word in _TRUE_WORDS:
            return True
        if word in _FALSE_WORDS:
            return False
        raise CellError(_("must be 是 or 否 (yes or no)"))

    def _parse_date(self, raw: Any) -> dt.date:
        if isinstance(raw, dt.datetime):
            return raw.date()
        if isinstance(raw, dt.date):
            return raw
        text = _as_text(raw)
        for fmt in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007  (a calendar date)
            except ValueError:
                continue
        raise CellError(_("«%(value)s» is not a date (write it as 2024-03-01)") % {"value": text})

    def _parse_choice(self, raw: Any) -> str:
        word = _as_text(raw).casefold()
        for choice in self.choices:
            if word in {
                choice.value.casefold(),
                choice.zh.casefold(),
                english(choice.en).casefold(),
            }:
                return choice.value
        raise CellError(
            _("«%(value)s» is not allowed; use one of: %(allowed)s")
            % {"value": _as_text(raw), "allowed": "、".join(self.choice_words(current_lang()))}
        )

    def _parse_bases(self, raw: Any) -> LegalBases:
        bases: LegalBases = []
        for part in _BASES_SPLIT.split(_as_text(raw)):
            if not part.strip():
                continue
            law, _sep, article = part.partition("|")
            law, article = law.strip(), article.strip()
            if not law:
                raise CellError(_("each legal basis needs a law before the «|»"))
            if len(law) > _LAW_MAX or len(article) > _ARTICLE_MAX:
                raise CellError(_("a law or article is too long"))
            if (law, article) not in bases:
                bases.append((law, article))
        return bases

    # -- Python → cell --------------------------------------------------------------------
    def cell(self, value: Any, lang: Lang) -> Any:
        """The cell written for ``value``: choice words, 是/否, joined legal bases."""
        if value is None:
            return None
        if self.kind == "choice":
            for choice in self.choices:
                if choice.value == value:
                    return choice.zh if lang == "zh" else english(choice.en)
            return value or None
        if self.kind == "bool":
            return _BOOL_WORDS[lang][bool(value)]
        if self.kind == "bases":
            return BASES_SEPARATOR.join(f"{law}|{article}" for law, article in value) or None
        if self.kind == "text":
            return value or None
        return value


@dataclass(frozen=True)
class Sheet:
    key: str
    zh: str
    en: str | Promise
    columns: tuple[Column, ...]
    natural_key: tuple[str, ...]
    note_zh: str = ""
    note_en: str | Promise = ""
    by_key: dict[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", {c.key: c for c in self.columns})

    def title(self, lang: Lang | None = None) -> str:
        return self.zh if (lang or current_lang()) == "zh" else english(self.en)

    def column(self, key: str) -> Column:
        return self.by_key[key]

    def match_header(self, header: str) -> Column | None:
        wanted = normalise_title(header)
        for column in self.columns:
            if wanted in {normalise_title(column.zh), normalise_title(english(column.en))}:
                return column
        return None


def normalise_title(text: str) -> str:
    """Headers match without spaces, case or the required mark ``*``."""
    return re.sub(r"[\s*＊]", "", text).casefold()


def _as_text(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime | dt.date):
        return raw.isoformat()
    return str(raw).strip()


_TRUE_WORDS = {"是", "y", "yes", "true", "1"}
_FALSE_WORDS = {"否", "n", "no", "false", "0"}
_BOOL_WORDS: dict[Lang, dict[bool, str]] = {
    "zh": {True: "是", False: "否"},
    "en": {True: "Yes", False: "No"},
}
_LAW_MAX = LegalBasis._meta.get_field("law").max_length or 200
_ARTICLE_MAX = LegalBasis._meta.get_field("article").max_length or 100


def _choices(enum: type[TextChoices], words: dict[str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(value, words[value], enum(value).label) for value in enum.values)


def _max(model: Any, name: str) -> int | None:
    length: int | None = model._meta.get_field(name).max_length
    return length


UNIT_KINDS = _choices(
    UnitKind,
    {"bureau": "局", "department": "处室", "branch": "分局", "team": "科室"},
)
POWER_TYPES = _choices(PowerType, {"decide": "决策", "execute": "执行", "supervise": "监督"})
POWER_CATEGORIES = _choices(
    PowerCategory,
    {
        "collection": "征收",
        "administration": "管理",
        "inspection": "稽查",
        "relief": "减免税",
        "penalty": "处罚",
        "personnel": "人事",
        "finance": "财务",
        "assets": "资产",
    },
)
GENDERS = _choices(Gender, {"M": "男", "F": "女"})
ASSIGNMENT_KINDS = _choices(AssignmentKind, {"primary": "主岗", "acting": "代理"})


def _code(model: Any, zh: str, en: Promise, note_zh: str, note_en: Promise) -> Column:
    return Column(
        "code",
        zh,
        en,
        required=True,
        max_length=_max(model, "code"),
        note_zh=note_zh,
        note_en=note_en,
    )


_BLANK_YES = gettext_lazy("Yes or No; blank means Yes")
_BLANK_NO = gettext_lazy("Yes or No; blank means No")


def _bool(key: str, zh: str, en: Promise, default: bool) -> Column:
    return Column(
        key,
        zh,
        en,
        kind="bool",
        default=default,
        note_zh=f"是 或 否；留空为「{'是' if default else '否'}」",
        note_en=_BLANK_YES if default else _BLANK_NO,
    )


UNITS = Sheet(
    "units",
    "单位",
    gettext_lazy("Units"),
    (
        _code(
            Unit,
            "单位编码",
            gettext_lazy("Unit code"),
            "必填，全局唯一",
            gettext_lazy("Required, unique"),
        ),
        Column(
            "name",
            "单位名称",
            gettext_lazy("Unit name"),
            required=True,
            max_length=_max(Unit, "name"),
            note_zh="必填",
            note_en=gettext_lazy("Required"),
        ),
        Column(
            "kind",
            "类型",
            gettext_lazy("Kind"),
            kind="choice",
            required=True,
            choices=UNIT_KINDS,
            note_zh="必填：局/处室/分局/科室",
            note_en=gettext_lazy("Required: Bureau/Department/Branch/Team"),
        ),
        Column(
            "parent",
            "上级单位编码",
            gettext_lazy("Parent unit code"),
            max_length=_max(Unit, "code"),
            default=None,
            note_zh="留空为最上级单位；可引用本表中任意行的单位编码",
            note_en=gettext_lazy(
                "Blank for the top unit; may name a unit of any row of this sheet"
            ),
        ),
        Column(
            "sort_order",
            "排序号",
            gettext_lazy("Sort order"),
            kind="int",
            default=0,
            note_zh="整数，留空为 0",
            note_en=gettext_lazy("Whole number, blank means 0"),
        ),
    ),
    natural_key=("code",),
    note_zh="每行一个单位，按单位编码识别；上级单位可在本表任意位置定义。",
    note_en=gettext_lazy(
        "One unit per row, identified by its code; a parent may be defined anywhere in this sheet."
    ),
)

POSTS = Sheet(
    "posts",
    "岗位",
    gettext_lazy("Posts"),
    (
        _code(
            Post,
            "岗位编码",
            gettext_lazy("Post code"),
            "必填，全局唯一",
            gettext_lazy("Required, unique"),
        ),
        Column(
            "name",
            "岗位名称",
            gettext_lazy("Post name"),
            required=True,
            max_length=_max(Post, "name"),
            note_zh="必填",
            note_en=gettext_lazy("Required"),
        ),
        Column(
            "unit",
            "所属单位编码",
            gettext_lazy("Unit code"),
            required=True,
            max_length=_max(Unit, "code"),
            note_zh="必填，已有单位或「单位」表中的单位编码",
            note_en=gettext_lazy("Required: an existing unit or one of the Units sheet"),
        ),
        Column(
            "power_type",
            "权力类型",
            gettext_lazy("Power type"),
            kind="choice",
            required=True,
            choices=POWER_TYPES,
            note_zh="必填：决策/执行/监督",
            note_en=gettext_lazy("Required: Decide/Execute/Supervise"),
        ),
        Column("description", "岗位描述", gettext_lazy("Description")),
        _bool("is_high_risk", "是否高风险岗位", gettext_lazy("High-risk post"), False),
        Column(
            "term_limit_years",
            "任期年限",
            gettext_lazy("Term limit (years)"),
            kind="int",
            default=None,
            note_zh="整数，留空为不限",
            note_en=gettext_lazy("Whole number, blank for none"),
        ),
    ),
    natural_key=("code",),
    note_zh="每行一个岗位，按岗位编码识别。",
    note_en=gettext_lazy("One post per row, identified by its code."),
)

DUTIES = Sheet(
    "duties",
    "岗位职责",
    gettext_lazy("Duties"),
    (
        Column(
            "post",
            "岗位编码",
            gettext_lazy("Post code"),
            required=True,
            max_length=_max(Post, "code"),
            note_zh="必填，已有岗位或「岗位」表中的岗位编码",
            note_en=gettext_lazy("Required: an existing post or one of the Posts sheet"),
        ),
        Column(
            "seq",
            "序号",
            gettext_lazy("Number"),
            kind="int",
            required=True,
            note_zh="必填；新职责的序号接续该岗位已有职责的最大序号",
            note_en=gettext_lazy("Required; new duties continue the post's highest number"),
        ),
        Column(
            "text",
            "职责内容",
            gettext_lazy("Duty"),
            required=True,
            note_zh="必填",
            note_en=gettext_lazy("Required"),
        ),
        Column(
            "power_type",
            "权力类型",
            gettext_lazy("Power type"),
            kind="choice",
            choices=POWER_TYPES,
            note_zh="决策/执行/监督，可留空",
            note_en=gettext_lazy("Decide/Execute/Supervise, may be blank"),
        ),
    ),
    natural_key=("post", "seq"),
    note_zh="每行一条职责，按（岗位编码，序号）识别；导入的新职责为草稿，需逐级审核。",
    note_en=gettext_lazy(
        "One duty per row, identified by (post code, number); new duties are "
        "drafts and still go through approval."
    ),
)

STAFF = Sheet(
    "staff",
    "人员",
    gettext_lazy("Staff"),
    (
        Column(
            "staff_no",
            "人员编号",
            gettext_lazy("Staff number"),
            required=True,
            max_length=_max(Staff, "staff_no"),
            note_zh="必填，全局唯一",
            note_en=gettext_lazy("Required, unique"),
        ),
        Column(
            "name",
            "姓名",
            gettext_lazy("Name"),
            required=True,
            max_length=_max(Staff, "name"),
            note_zh="必填",
            note_en=gettext_lazy("Required"),
        ),
        Column(
            "unit",
            "所在单位编码",
            gettext_lazy("Unit code"),
            required=True,
            max_length=_max(Unit, "code"),
            note_zh="必填，已有单位或「单位」表中的单位编码",
            note_en=gettext_lazy("Required: an existing unit or one of the Units sheet"),
        ),
        Column(
            "gender",
            "性别",
            gettext_lazy("Gender"),
            kind="choice",
            choices=GENDERS,
            note_zh="男/女，可留空",
            note_en=gettext_lazy("Male/Female, may be blank"),
        ),
        Column("rank", "职级", gettext_lazy("Rank"), max_length=_max(Staff, "rank")),
        Column("phone", "电话", gettext_lazy("Phone"), max_length=_max(Staff, "phone")),
        Column("email", "邮箱", gettext_lazy("Email"), max_length=_max(Staff, "email")),
    ),
    natural_key=("staff_no",),
    note_zh="每行一名人员，按人员编号识别。",
    note_en=gettext_lazy("One person per row, identified by staff number."),
)

ASSIGNMENTS = Sheet(
    "assignments",
    "任职",
    gettext_lazy("Assignments"),
    (
        Column(
            "staff",
            "人员编号",
            gettext_lazy("Staff number"),
            required=True,
            max_length=_max(Staff, "staff_no"),
            note_zh="必填，已有人员或「人员」表中的人员编号",
            note_en=gettext_lazy("Required: an existing person or one of the Staff sheet"),
        ),
        Column(
            "post",
            "岗位编码",
            gettext_lazy("Post code"),
            required=True,
            max_length=_max(Post, "code"),
            note_zh="必填，已有岗位或「岗位」表中的岗位编码",
            note_en=gettext_lazy("Required: an existing post or one of the Posts sheet"),
        ),
        Column(
            "start",
            "开始日期",
            gettext_lazy("Start date"),
            kind="date",
            required=True,
            note_zh="必填，如 2024-03-01",
            note_en=gettext_lazy("Required, e.g. 2024-03-01"),
        ),
        Column(
            "end",
            "结束日期",
            gettext_lazy("End date"),
            kind="date",
            default=None,
            note_zh="留空为仍在岗",
            note_en=gettext_lazy("Blank while still in post"),
        ),
        Column(
            "kind",
            "任职类型",
            gettext_lazy("Kind"),
            kind="choice",
            choices=ASSIGNMENT_KINDS,
            default=AssignmentKind.PRIMARY.value,
            note_zh="主岗/代理，留空为主岗",
            note_en=gettext_lazy("Primary/Acting, blank means Primary"),
        ),
    ),
    natural_key=("staff", "post", "start"),
    note_zh="每行一段任职，按（人员编号，岗位编码，开始日期）识别。",
    note_en=gettext_lazy(
        "One period in a post per row, identified by (staff number, post code, start date)."
    ),
)

POWER_ITEMS = Sheet(
    "power_items",
    "权力清单",
    gettext_lazy("Power items"),
    (
        _code(
            PowerItem,
            "权力编码",
            gettext_lazy("Power code"),
            "必填，全局唯一",
            gettext_lazy("Required, unique"),
        ),
        Column(
            "name",
            "权力名称",
            gettext_lazy("Power name"),
            required=True,
            max_length=_max(PowerItem, "name"),
            note_zh="必填",
            note_en=gettext_lazy("Required"),
        ),
        Column(
            "category",
            "权力类别",
            gettext_lazy("Category"),
            kind="choice",
            required=True,
            choices=POWER_CATEGORIES,
            note_zh="必填：征收/管理/稽查/减免税/处罚/人事/财务/资产",
            note_en=gettext_lazy("Required: one of the listed categories"),
        ),
        Column(
            "power_type",
            "权力类型",
            gettext_lazy("Power type"),
            kind="choice",
            required=True,
            choices=POWER_TYPES,
            note_zh="必填：决策/执行/监督",
            note_en=gettext_lazy("Required: Decide/Execute/Supervise"),
        ),
        Column(
            "unit",
            "所属单位编码",
            gettext_lazy("Unit code"),
            required=True,
            max_length=_max(Unit, "code"),
            note_zh="必填，已有单位或「单位」表中的单位编码",
            note_en=gettext_lazy("Required: an existing unit or one of the Units sheet"),
        ),
        Column(
            "post",
            "责任岗位编码",
            gettext_lazy("Owner post code"),
            max_length=_max(Post, "code"),
            default=None,
            note_zh="可留空",
            note_en=gettext_lazy("May be blank"),
        ),
        Column("description", "事项描述", gettext_lazy("Description")),
        Column(
            "time_limit_days",
            "办理时限（工作日）",
            gettext_lazy("Time limit (working days)"),
            kind="int",
            default=None,
            note_zh="整数，留空为无",
            note_en=gettext_lazy("Whole number, blank for none"),
        ),
        _bool("is_public", "是否公开", gettext_lazy("Public"), True),
        Column(
            "legal_bases",
            "执法依据",
            gettext_lazy("Legal bases"),
            kind="bases",
            default=[],
            note_zh="「法律|条款」，多条以全角分号「；」分隔，如："
            "《中华人民共和国税收征收管理法》|第三十三条；"
            "《中华人民共和国税收征收管理法实施细则》|第四十三条",
            note_en=gettext_lazy(
                '"law|article" pairs separated by "；" (or ";"), e.g. '
                "Tax Collection Law|Article 33；Implementing Rules|Article "
                "43"
            ),
        ),
    ),
    natural_key=("code",),
    note_zh="每行一项权力，按权力编码识别；执法依据写在同一行。",
    note_en=gettext_lazy(
        "One power per row, identified by its code; its legal bases go in the same row."
    ),
)

# In the order they are written: each sheet only refers to sheets before it.
SHEETS: tuple[Sheet, ...] = (UNITS, POSTS, STAFF, ASSIGNMENTS, DUTIES, POWER_ITEMS)
SHEETS_BY_KEY = {sheet.key: sheet for sheet in SHEETS}
INSTRUCTIONS_TITLES = {"zh": "填写说明", "en": "Instructions"}


def sheet_for_title(title: str) -> Sheet | None:
    wanted = normalise_title(title)
    for sheet in SHEETS:
        if wanted in {normalise_title(sheet.zh), normalise_title(english(sheet.en))}:
            return sheet
    return None


def is_instructions_title(title: str) -> bool:
    return normalise_title(title) in {normalise_title(t) for t in INSTRUCTIONS_TITLES.values()}


def sheets_named(keys: Iterable[str] | None) -> Sequence[Sheet]:
    """The sheets with these keys, in writing order (all of them for ``None``)."""
    if keys is None:
        return SHEETS
    wanted = set(keys)
    return tuple(sheet for sheet in SHEETS if sheet.key in wanted)


# Models whose sheets these are: the import compares and the export reads the same fields.
MODELS = {
    "units": Unit,
    "posts": Post,
    "duties": Duty,
    "staff": Staff,
    "assignments": Assignment,
    "power_items": PowerItem,
}
