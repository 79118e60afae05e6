"""The translation catalogues: Chinese (the default) and English must both be complete."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[sdifr]")


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


def entries(path: Path) -> list[dict[str, str]]:
    """The entries of a .po file: field name → text, plus ``flags`` from the ``#,`` comments."""
    parsed = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry: dict[str, str] = {"flags": ""}
        key = ""
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line[2:]
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                entry[key] += _unquote(line[1:-1])
            else:
                key, _, rest = line.partition(" ")
                entry[key] = _unquote(rest.strip()[1:-1])
        parsed.append(entry)
    return parsed


def catalogue(language: str) -> Path:
    return Path(settings.LOCALE_PATHS[0]) / language / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_every_message_is_translated(language: str) -> None:
    found = entries(catalogue(language))
    messages = [e for e in found if e.get("msgid")]
    assert len(messages) > 100
    untranslated = [e["msgid"] for e in messages if not (e.get("msgstr") or e.get("msgstr[0]"))]
    fuzzy = [e.get("msgid", "(header)") for e in found if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_translations_keep_the_placeholders(language: str) -> None:
    for e in entries(catalogue(language)):
        if not e.get("msgid"):
            continue
        translated = e.get("msgstr") or e.get("msgstr[0]", "")
        assert set(PLACEHOLDER.findall(translated)) == set(PLACEHOLDER.findall(e["msgid"])), e


def test_the_chinese_catalogue_uses_the_glossary() -> None:
    zh = {e["msgid"]: e.get("msgstr", "") for e in entries(catalogue("zh_Hans"))}
    assert zh["Power list"] == "权力清单"
    assert zh["legal basis"] == "执法依据"
    assert (zh["Decide"], zh["Execute"], zh["Supervise"]) == ("决策", "执行", "监督")
    assert zh["Sunlight"] == "阳光内控"
