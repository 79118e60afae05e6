"""The one error type: its English and Chinese texts, and that it survives a worker boundary."""

from __future__ import annotations

import pickle

import pytest

from controls.io import LogError


@pytest.mark.parametrize(
    ("error", "english", "chinese"),
    [
        (
            LogError("log.csv", 7, "办理时间", "not a date: 'x'", message_zh="无法识别的时间：x"),
            "log.csv, row 7, field '办理时间': not a date: 'x'",
            "log.csv，第 7 行，字段「办理时间」：无法识别的时间：x",
        ),
        (
            LogError("log.xes", 12, None, "not well-formed XML", where="line"),
            "log.xes, line 12: not well-formed XML",
            "log.xes，第 12 行：not well-formed XML",
        ),
        (LogError("a.csv", None, None, "cannot open"), "a.csv: cannot open", "a.csv：cannot open"),
    ],
)
def test_messages(error: LogError, english: str, chinese: str) -> None:
    assert str(error) == english
    assert error.message_zh == chinese
    assert isinstance(error, ValueError)


def test_pickles() -> None:
    error = LogError("log.csv", 3, "case", "the case is empty", message_zh="必填项为空")
    back = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own object
    assert (str(back), back.message_zh, back.position) == (str(error), error.message_zh, 3)
