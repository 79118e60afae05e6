"""Every message has its Chinese and its English: the catalogues are complete, not fuzzy, keep
their placeholders, and cover every string the source marks for translation.

When a test here fails after new strings were added: ``make catalogues`` (makemessages), then
fill the empty and fuzzy entries of ``locale/*/LC_MESSAGES/django.po``.
"""

from __future__ import annotations

import ast
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LANGUAGES = ("zh_Hans", "en")
LOCALE = Path(settings.BASE_DIR) / "locale"
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifrx%]")


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    def __str__(self) -> str:
        return f"line {self.line}: {self.msgid!r}"


def parse_po(text: str) -> list[Entry]:
    """The live entries of a .po file (obsolete ``#~`` entries left out), header included."""
    entries: list[Entry] = []
    for start, block in _blocks(text):
        entry = _entry(start, block)
        if entry is not None:
            entries.append(entry)
    return entries


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    blocks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    for number, line in enumerate([*text.splitlines(), ""], start=1):
        if line.strip():
            current.append(line)
        elif current:
            blocks.append((number - len(current), current))
            current = []
    return blocks


def _entry(start: int, lines: list[str]) -> Entry | None:
    if any(line.startswith("#~") for line in lines):
        return None
    entry = Entry(line=start)
    target: tuple[str, int] | None = None
    for line in lines:
        if line.startswith("#,"):
            entry.flags |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and target is not None:
            _append(entry, target, ast.literal_eval(line))
        else:
            keyword, _, value = line.partition(" ")
            target = _target(keyword)
            _set(entry, target, ast.literal_eval(value))
    return entry


def _target(keyword: str) -> tuple[str, int]:
    if keyword.startswith("msgstr["):
        return "msgstr", int(keyword[len("msgstr[") : -1])
    if keyword not in ("msgctxt", "msgid", "msgid_plural", "msgstr"):
        raise ValueError(f"unknown keyword {keyword!r}")
    return keyword, 0


def _set(entry: Entry, target: tuple[str, int], value: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] = value
    else:
        setattr(entry, name, value)


def _append(entry: Entry, target: tuple[str, int], value: str) -> None:
    name, index = target
    if name == "msgstr":
        entry.msgstr[index] += value
    else:
        setattr(entry, name, (getattr(entry, name) or "") + value)


def messages(path: Path) -> list[Entry]:
    return [e for e in parse_po(path.read_text(encoding="utf-8")) if e.msgid]


def catalogue(language: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / "django.po"


def unfinished(entries: list[Entry]) -> list[str]:
    return [
        f"{e} ({'fuzzy' if 'fuzzy' in e.flags else 'untranslated'})"
        for e in entries
        if "fuzzy" in e.flags or not e.msgstr or any(not s for s in e.msgstr.values())
    ]


# --- the parser itself ----------------------------------------------------------------------------

SAMPLE = r"""msgid ""
msgstr ""
"Plural-Forms: nplurals=1; plural=0;\n"

#: a.py:1
msgid "Post"
msgstr "岗位"

#, fuzzy
#| msgid "Posts"
msgid "Post list"
msgstr "岗位"

msgctxt "verb"
msgid ""
"Return "
"it"
msgstr ""

msgid "%(n)s duty"
msgid_plural "%(n)s duties"
msgstr[0] "%(n)s 项职责"

#~ msgid "Gone"
#~ msgstr "已删除"
"""


def test_the_parser_reads_entries_flags_context_and_plurals() -> None:
    entries = parse_po(SAMPLE)
    assert [e.msgid for e in entries] == ["", "Post", "Post list", "Return it", "%(n)s duty"]
    header, post, fuzzy, returned, plural = entries
    assert header.msgstr[0] == "Plural-Forms: nplurals=1; plural=0;\n"
    assert (post.line, post.msgstr) == (5, {0: "岗位"})
    assert fuzzy.flags == {"fuzzy"}
    assert (returned.msgctxt, returned.msgstr) == ("verb", {0: ""})
    assert (plural.msgid_plural, plural.msgstr) == ("%(n)s duties", {0: "%(n)s 项职责"})


def test_unfinished_entries_are_named() -> None:
    assert unfinished([e for e in parse_po(SAMPLE) if e.msgid]) == [
        "line 9: 'Post list' (fuzzy)",
        "line 14: 'Return it' (untranslated)",
    ]


# --- the project's catalogues -------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_none_is_fuzzy(language: str) -> None:
    entries = messages(catalogue(language))
    assert len(entries) > 300
    assert unfinished(entries) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_header_is_final(language: str) -> None:
    header = parse_po(catalogue(language).read_text(encoding="utf-8"))[0]
    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "charset=UTF-8" in header.msgstr[0]


def test_both_languages_hold_the_same_messages() -> None:
    def keys(language: str) -> set[tuple[str | None, str]]:
        return {(e.msgctxt, e.msgid) for e in messages(catalogue(language))}

    assert keys("zh_Hans") ^ keys("en") == set()


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language: str) -> None:
    wrong = []
    for entry in messages(catalogue(language)):
        given = sorted(PLACEHOLDER.findall(entry.msgid + (entry.msgid_plural or "")))
        for text in entry.msgstr.values():
            found = sorted(PLACEHOLDER.findall(text))
            # A plural form may drop the number ("one duty"), never add or rename a placeholder.
            same = set(found) <= set(given) if entry.msgid_plural else found == given
            if not same:
                wrong.append(str(entry))
    assert wrong == []


def test_the_chinese_catalogue_is_chinese() -> None:
    """Catches an English msgstr copied into the Chinese file by mistake."""
    allowed_latin = re.compile(r"^[\sA-Za-z0-9%().,:;_\-+/|@#'\"]*$")
    english = [
        str(e)
        for e in messages(catalogue("zh_Hans"))
        if e.msgstr.get(0) == e.msgid and not allowed_latin.match(PLACEHOLDER.sub("", e.msgid))
    ]
    copied = [
        str(e)
        for e in messages(catalogue("zh_Hans"))
        if e.msgstr.get(0) == e.msgid and re.search(r"[a-z]{3,} [a-z]{3,}", e.msgid)
    ]
    assert english == []
    assert copied == []


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext is not installed")
def test_the_catalogues_cover_every_string_in_the_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """makemessages on a copy of the tree: a string added to the source without its translation
    shows up here as untranslated."""
    base = Path(settings.BASE_DIR)
    for package in ("sunlight", "controls"):
        shutil.copytree(
            base / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "migrations", "*.pyc", "*.png", "*.xlsx"),
        )
    for language in LANGUAGES:
        target = tmp_path / "locale" / language / "LC_MESSAGES"
        target.mkdir(parents=True)
        shutil.copy(catalogue(language), target / "django.po")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(settings, "LOCALE_PATHS", [tmp_path / "locale"])

    call_command("makemessages", locale=list(LANGUAGES), verbosity=0)

    for language in LANGUAGES:
        extracted = tmp_path / "locale" / language / "LC_MESSAGES" / "django.po"
        assert unfinished(messages(extracted)) == [], language


def test_the_english_catalogue_is_english() -> None:
    """Chinese in an English message only where the message names a Chinese value (是/否)."""
    cjk = re.compile(r"[\u4e00-\u9fff]+")
    chinese = [
        str(e)
        for e in messages(catalogue("en"))
        for text in e.msgstr.values()
        if not set(cjk.findall(text)) <= set(cjk.findall(e.msgid))
    ]
    assert chinese == []


def test_the_chinese_catalogue_uses_the_glossary() -> None:
    zh = {e.msgid: e.msgstr.get(0) for e in messages(catalogue("zh_Hans"))}
    assert zh["Power list"] == "权力清单"
    assert zh["legal basis"] == "执法依据"
    assert (zh["Decide"], zh["Execute"], zh["Supervise"]) == ("决策", "执行", "监督")
    assert zh["Sunlight"] == "阳光内控"
    assert (zh["Warnings"], zh["Supervision order"], zh["Accountability"]) == (
        "预警",
        "督办单",
        "责任追究",
    )
