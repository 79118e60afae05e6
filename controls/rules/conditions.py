"""The condition language of rule files: small, safe, and explained when wrong.

Rule authors write conditions such as ``amount >= 500000 and 情节 in ["较重", "严重"]``. The text
is tokenized and parsed by hand (recursive descent) into closures; nothing is ever passed to
``eval``, so a rule file cannot run code.

Grammar::

    expr       := and ("or" and)*
    and        := not ("and" not)*
    not        := "not" not | comparison
    comparison := operand [ ("==" | "!=" | "<" | "<=" | ">" | ">=") operand
                          | ["not"] "in" "[" [literal ("," literal)*] "]" ]
    operand    := literal | name | "(" expr ")"
    literal    := number | "-" number | 'text' | "text" | true | false | null

A name is ``activity``, ``resource``, ``post``, ``unit``, ``process``, ``lifecycle`` or ``case``
(the event's own fields), otherwise a key of the event's data (Chinese names are fine). A name
missing from the data is ``null``: it equals only ``null`` and is neither less nor greater than
anything, so ``amount >= 500000`` is false when there is no amount. A number compared with a
text that spells a number (as CSV logs often carry) is compared as numbers. An operand alone
(``urgent``) is true when the value is present and not false, zero or empty.
"""

from __future__ import annotations

import decimal
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from controls.events import Event

Value = Callable[[Event, Mapping[str, Any] | None], Any]

EVENT_FIELDS = frozenset({"activity", "resource", "post", "unit", "process", "lifecycle", "case"})
_KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})
_TWO_CHAR = ("==", "!=", "<=", ">=")
_ONE_CHAR = "<>()[],-"


class ConditionError(ValueError):
    """A condition that cannot be parsed; ``column`` is 1-based in the condition text."""

    def __init__(self, column: int, reason_en: str, reason_zh: str) -> None:
        self.column = column
        self.reason_en = reason_en
        self.reason_zh = reason_zh
        super().__init__(f"column {column}: {reason_en}")


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "num", "str", "name", "kw", "op", "end"
    text: str
    value: Any
    column: int


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch.isdigit() or (ch == "." and text[i + 1 : i + 2].isdigit()):
            i = _number(text, i, tokens)
        elif ch in "'\"":
            i = _string(text, i, tokens)
        elif ch.isalpha() or ch == "_":
            i = _name(text, i, tokens)
        elif text[i : i + 2] in _TWO_CHAR:
            tokens.append(Token("op", text[i : i + 2], None, i + 1))
            i += 2
        elif ch in _ONE_CHAR:
            tokens.append(Token("op", ch, None, i + 1))
            i += 1
        elif ch == "=":
            raise ConditionError(i + 1, "use == to compare", "比较相等请用 ==")
        else:
            raise ConditionError(i + 1, f"unexpected character {ch!r}", f"无法识别的字符 {ch!r}")
    tokens.append(Token("end", "", None, len(text) + 1))
    return tokens


def _number(text: str, start: int, tokens: list[Token]) -> int:
    i = start
    while i < len(text) and (text[i].isdigit() or text[i] in "._"):
        i += 1
    raw = text[start:i]
    try:
        value: int | float = float(raw) if "." in raw else int(raw)
    except ValueError:
        raise ConditionError(start + 1, f"bad number {raw!r}", f"数字格式错误 {raw!r}") from None
    if i < len(text) and (text[i].isalpha() or text[i] == "_"):
        raise ConditionError(i + 1, "a name cannot start with a digit", "名称不能以数字开头")
    tokens.append(Token("num", raw, value, start + 1))
    return i


def _string(text: str, start: int, tokens: list[Token]) -> int:
    quote = text[start]
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == quote:
            tokens.append(Token("str", text[start : i + 1], "".join(out), start + 1))
            return i + 1
        out.append(ch)
        i += 1
    raise ConditionError(start + 1, "text is not closed by a quote", "文本缺少结束引号")


def _name(text: str, start: int, tokens: list[Token]) -> int:
    i = start
    while i < len(text) and (text[i].isalnum() or text[i] in "_."):
        i += 1
    word = text[start:i]
    tokens.append(Token("kw" if word in _KEYWORDS else "name", word, word, start + 1))
    return i


class Test(Protocol):
    def __call__(self, event: Event, known: Mapping[str, Any] | None = None, /) -> bool: ...


class Condition:
    """A parsed condition: ``test(event, known)`` says whether it holds.

    ``known`` holds data carried from earlier events of the case, consulted for names the event
    itself does not carry. ``names`` lists the data keys the condition reads.
    """

    def __init__(self, text: str, test: Test, names: frozenset[str]) -> None:
        self.text = text
        self.names = names
        # An attribute, not a method: rules test a condition on many events, and a method
        # would add a call in between.
        self.test = test

    def __repr__(self) -> str:
        return f"Condition({self.text!r})"


def parse_condition(text: str) -> Condition:
    parser = _Parser(text, tokenize(text))
    value = parser.truth(parser.expr())
    parser.expect_end()
    test = parser.alone.get(value)
    if test is None:

        def test(event: Event, known: Mapping[str, Any] | None = None, /) -> bool:
            return bool(value(event, known))

    return Condition(text, test, frozenset(parser.names))


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.pos = 0
        self.names: set[str] = set()
        # What is known of the closures built so far, to build faster ones from them: the
        # constants, the data look-ups (by name), those that always give a bool, and those
        # that can serve as ``Condition.test`` as they are.
        self.constants: dict[Value, Any] = {}
        self.lookups: dict[Value, str] = {}
        self.booleans: set[Value] = set()
        self.alone: dict[Value, Test] = {}

    def truth(self, value: Value) -> Value:
        return value if value in self.booleans else _truth(value)

    def boolean(self, value: Value) -> Value:
        self.booleans.add(value)
        return value

    @property
    def tok(self) -> Token:
        return self.tokens[self.pos]

    def take(self) -> Token:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def at(self, kind: str, text: str) -> bool:
        return self.tok.kind == kind and self.tok.text == text

    def fail(self, what_en: str, what_zh: str) -> ConditionError:
        found = self.tok.text or "end of condition"
        found_zh = self.tok.text or "条件结尾"
        return ConditionError(
            self.tok.column,
            f"expected {what_en}, found {found!r}",
            f"此处应为{what_zh}，实为 {found_zh}",
        )

    def expect_end(self) -> None:
        if self.tok.kind != "end":
            raise self.fail("and / or or the end", "and、or 或结尾")

    def expr(self) -> Value:
        left = self.conj()
        while self.at("kw", "or"):
            self.take()
            left = self.boolean(_or(self.truth(left), self.truth(self.conj())))
        return left

    def conj(self) -> Value:
        left = self.neg()
        while self.at("kw", "and"):
            self.take()
            left = self.boolean(_and(self.truth(left), self.truth(self.neg())))
        return left

    def neg(self) -> Value:
        if self.at("kw", "not"):
            self.take()
            inner = self.truth(self.neg())
            return self.boolean(lambda e, k: not inner(e, k))
        return self.comparison()

    def comparison(self) -> Value:
        left = self.operand()
        if self.tok.kind == "op" and self.tok.text in _COMPARE:
            text = self.take().text
            right = self.operand()
            return self.boolean(self.compare(text, left, right))
        negate = False
        if self.at("kw", "not"):
            self.take()
            if not self.at("kw", "in"):
                raise self.fail("in after not", "not 之后的 in")
            negate = True
        if self.at("kw", "in"):
            self.take()
            options = self.literal_list()
            if negate:
                return self.boolean(lambda e, k: not _member(left(e, k), options))
            return self.boolean(lambda e, k: _member(left(e, k), options))
        return left

    def compare(self, text: str, left: Value, right: Value) -> Value:
        op = _COMPARE[text]
        if right not in self.constants:
            return lambda e, k: op(left(e, k), right(e, k))
        constant = self.constants[right]
        name = self.lookups.get(left)
        if name is None or constant is None:
            return lambda e, k: op(left(e, k), constant)
        # The common shape ``amount >= 500000``: one closure, and when the value has the
        # constant's type (no aligning needed) the plain operator, as ``op`` would do then.
        plain, kind = _PLAIN[text], type(constant)

        def test(e: Event, k: Mapping[str, Any] | None = None, /) -> bool:
            value = e.data.get(name)
            if value is None and k is not None:
                value = k.get(name)
            if type(value) is kind:
                return plain(value, constant)  # type: ignore[no-any-return]
            return op(value, constant)

        self.alone[test] = test
        return test

    def operand(self) -> Value:
        tok = self.tok
        if self.at("op", "("):
            self.take()
            inner = self.expr()
            if not self.at("op", ")"):
                raise self.fail("a closing parenthesis", "右括号")
            self.take()
            return inner
        if tok.kind == "name":
            self.take()
            return self.name(tok.text)
        constant = self.literal()
        value: Value = lambda e, k: constant  # noqa: E731
        self.constants[value] = constant
        return value

    def name(self, name: str) -> Value:
        if name in EVENT_FIELDS:
            getter = operator.attrgetter(name)
            return lambda e, k: getter(e)
        self.names.add(name)

        def lookup(e: Event, known: Mapping[str, Any] | None) -> Any:
            value = e.data.get(name)
            if value is None and known is not None:
                return known.get(name)
            return value

        self.lookups[lookup] = name
        return lookup

    def literal(self) -> Any:
        tok = self.tok
        if tok.kind in ("num", "str"):
            self.take()
            return tok.value
        if self.at("op", "-") and self.tokens[self.pos + 1].kind == "num":
            self.take()
            return -self.take().value
        if tok.kind == "kw" and tok.text in ("true", "false", "null"):
            self.take()
            return {"true": True, "false": False, "null": None}[tok.text]
        raise self.fail(
            "a value (number, 'text', name or parenthesis)", "值（数字、'文本'、名称或括号）"
        )

    def literal_list(self) -> tuple[Any, ...]:
        if not self.at("op", "["):
            raise self.fail("a list such as ['a', 'b'] after in", "in 之后的列表，如 ['甲', '乙']")
        self.take()
        items: list[Any] = []
        while not self.at("op", "]"):
            items.append(self.literal())
            if self.at("op", ","):
                self.take()
            elif not self.at("op", "]"):
                raise self.fail("a comma or ]", "逗号或 ]")
        self.take()
        return tuple(items)


def _and(a: Value, b: Value) -> Value:
    return lambda e, k: a(e, k) and b(e, k)


def _or(a: Value, b: Value) -> Value:
    return lambda e, k: a(e, k) or b(e, k)


def _truth(value: Value) -> Value:
    def truth(e: Event, k: Mapping[str, Any] | None) -> bool:
        v = value(e, k)
        if v is True:  # what every comparison gives when it holds
            return True
        return bool(v is not None and v is not False and v != 0 and v != "")

    return truth


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float | decimal.Decimal) and not isinstance(v, bool)


def _align(a: Any, b: Any) -> tuple[Any, Any]:
    """Make a number and a text spelling a number comparable; leave anything else alone."""
    if _is_number(a) and isinstance(b, str):
        return a, _as_number(b)
    if isinstance(a, str) and _is_number(b):
        return _as_number(a), b
    if isinstance(a, decimal.Decimal) and isinstance(b, float):
        return float(a), b
    if isinstance(a, float) and isinstance(b, decimal.Decimal):
        return a, float(b)
    return a, b


def _as_number(text: str) -> float | str:
    try:
        return float(text.strip())
    except ValueError:
        return text


def _equal(a: Any, b: Any) -> bool:
    if type(a) is not type(b):  # values of one type need no aligning
        a, b = _align(a, b)
    return bool(a == b)


def _ordered(op: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    def compare(a: Any, b: Any) -> bool:
        if a is None or b is None:
            return False
        if type(a) is not type(b):  # values of one type need no aligning
            a, b = _align(a, b)
        try:
            return bool(op(a, b))
        except TypeError:  # text against number, date against text: no order, so not true
            return False

    return compare


# The operators themselves, for two values of one type (the constant's: a number, text or bool).
_PLAIN: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": _equal,
    "!=": lambda a, b: not _equal(a, b),
    "<": _ordered(operator.lt),
    "<=": _ordered(operator.le),
    ">": _ordered(operator.gt),
    ">=": _ordered(operator.ge),
}


def _member(value: Any, options: tuple[Any, ...]) -> bool:
    return any(_equal(value, option) for option in options)
