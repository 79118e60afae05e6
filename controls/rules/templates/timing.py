"""Template 2 (time limits) and template 8 (time of day and calendar) — rules about the clock.

Working-day convention (``unit: workdays``): the days counted from step A to step B are the
working days in (A's date, B's date] on the official calendar with its make-up days, in the
bureau's time zone: A's own day is not counted, B's day is. A matter is late when that count
exceeds the limit; the deadline is the limit-th working day after A's date. Work done on a rest
day uses no working day. An open matter is breached once the first working day after the
deadline begins. A deadline in a year whose holidays are not yet published is computed on
weekdays and marked provisional.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass

from controls.events import Event, Finding, Stage
from controls.rules import messages as m
from controls.rules.base import (
    NO_FINDINGS,
    Params,
    Rule,
    RuleContext,
    RuleError,
    RuleSpec,
    WorkingCalendar,
    register,
)

BUREAU_TZ = "Asia/Shanghai"
_UNIT_ZH = {"workdays": "个工作日", "days": "天", "hours": "小时"}
_UNIT_EN = {"workdays": "working days", "days": "days", "hours": "hours"}


def _zone(params: Params) -> zoneinfo.ZoneInfo:
    name = params.text("timezone", BUREAU_TZ)
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise params.error(
            "timezone", f"unknown time zone {name!r}", f"未知时区 {name!r}"
        ) from None


def _need_calendar(rule: Rule, context: RuleContext) -> WorkingCalendar:
    if context.calendar is None:
        raise RuleError(
            rule.id, "unit", "needs the working-day calendar, which is not available",
            "需要工作日历，但工作日历不可用",
        )  # fmt: skip
    return context.calendar


@dataclass(slots=True)
class _Clock:
    """One running time limit of one case: started by ``start``, the ``n``-th of the case."""

    start: Event
    n: int
    seq: int  # the order in which clocks started: ties between equal due instants go by it
    day: dt.date | None  # the start's date in the bureau's zone (day counts only)
    warn_at: dt.datetime | None  # when the warning is due (None: no warning)
    breach_at: dt.datetime  # the first instant at which the open matter is late
    deadline: dt.date | None  # the last working day allowed (working days / days only)
    provisional: bool
    warned: bool = False  # its warning entry was popped: its entry now is the breach's

    def entry(self, case: str) -> tuple[dt.datetime, int, str, int, bool]:
        """The clock's entry in the due heap: its warning, or after that, its breach."""
        if self.warn_at is not None and not self.warned:
            return (self.warn_at, self.seq, case, self.n, False)
        return (self.breach_at, self.seq, case, self.n, True)


# Of a clock started on a given day: (warn at, breach at, deadline, provisional).
_Dues = tuple[dt.datetime | None, dt.datetime, dt.date | None, bool]
_DUES_KEPT = 4096  # start days remembered per rule (about eleven years of days)


@register
class TimeLimit(Rule):
    """From step A to step B within a limit; or an activity's own duration (start → complete).

    .. code-block:: yaml

        - id: TL-01
          template: time_limit
          name: 受理后 10 个工作日内办结
          from: 受理
          to: 办结
          limit: 10
          unit: workdays        # workdays (default) | days | hours
          warn_at: 0.8          # optional: warn when 80 % of the limit is used

    With ``activity: 审核`` instead of ``from``/``to``, the limit is on the step's own duration,
    from its ``start`` event to its ``complete`` event. Otherwise only ``complete`` events count.
    """

    template = "time_limit"
    stages = ()  # warning before, breach during (open), late completion after

    def __init__(self, spec: RuleSpec, params: Params) -> None:
        super().__init__(spec, params)
        if params.has("activity"):
            step = params.text("activity")
            self.a, self.b, self.a_life, self.b_life = step, step, "start", "complete"
            for name in ("from", "to"):
                if params.has(name):
                    raise params.error(name, "cannot be used with activity", "不能与 activity 同用")
        else:
            self.a, self.b = params.text("from"), params.text("to")
            self.a_life = self.b_life = "complete"
            if self.a == self.b:
                raise params.error("to", "must differ from from", "必须与 from 不同")
        self.unit = params.choice("unit", ("workdays", "days", "hours"), "workdays")
        self.limit = params.number("limit", minimum=0, exclusive_minimum=True)
        if self.unit != "hours" and self.limit != int(self.limit):
            raise params.error("limit", "must be a whole number of days", "天数必须是整数")
        warn = params.raw("warn_at", None)
        self.warn_fraction = (
            None
            if warn is None
            else params.number("warn_at", minimum=0, maximum=1, exclusive_minimum=True)
        )
        if self.warn_fraction == 1:
            raise params.error("warn_at", "must be below 1", "必须小于 1")
        self.zone = _zone(params)
        self._calendar: WorkingCalendar | None = None
        self._open: dict[str, _Clock] = {}
        self._count: dict[str, int] = {}
        # (due instant, clock sequence, case, clock number, is_breach): popped by tick; entries
        # of clocks that have since stopped are skipped when they come up. A clock has one entry
        # at a time: its warning, and once that is popped, its breach (most clocks stop before
        # either is due, and then they cost one entry, not two).
        self._due: list[tuple[dt.datetime, int, str, int, bool]] = []
        self._seq = 0
        self._dues: dict[dt.date, _Dues] = {}

    def bind(self, context: RuleContext) -> None:
        super().bind(context)
        if self.unit == "workdays":
            self._calendar = _need_calendar(self, context)

    def watches(self) -> frozenset[str] | None:
        # Only A and B: who holds an open case now is asked of the monitor (``last_event``).
        return frozenset({self.a, self.b})

    def feed(self, event: Event) -> Sequence[Finding]:
        activity = event.activity
        if activity == self.b and event.lifecycle == self.b_life:
            clock = self._open.pop(event.case, None)
            if clock is not None:
                if clock.day is not None and event.time < clock.breach_at:
                    return NO_FINDINGS  # in time, as most are (see ``_judge_end``)
                return self._judge_end(clock, event)
        if activity == self.a and event.lifecycle == self.a_life and event.case not in self._open:
            self._start(event)
        return NO_FINDINGS

    def _start(self, event: Event) -> None:
        case = event.case
        n = self._count[case] = self._count.get(case, 0) + 1
        self._seq += 1
        clock = self._open[case] = self._clock(event, n, self._seq)
        due = self._due
        if len(due) > 2 * len(self._open) + 64:
            # Mostly entries of clocks that stopped (B came) with no tick since, as in a batch
            # run: rebuilt from the running clocks, so the heap stays the size of what runs.
            due[:] = [c.entry(k) for k, c in self._open.items()]
            heapq.heapify(due)
        elif clock.warn_at is not None:  # what ``clock.entry`` gives, spared a call per clock
            heapq.heappush(due, (clock.warn_at, clock.seq, case, n, False))
        else:
            heapq.heappush(due, (clock.breach_at, clock.seq, case, n, True))

    def _clock(self, start: Event, n: int, seq: int) -> _Clock:
        if self.unit == "hours":
            span = dt.timedelta(hours=self.limit)
            warn = None if self.warn_fraction is None else start.time + span * self.warn_fraction
            # Late only when strictly more than the limit has passed.
            breach = start.time + span + dt.timedelta(microseconds=1)
            return _Clock(start, n, seq, None, warn, breach, None, False)
        day = start.time.astimezone(self.zone).date()
        # Many clocks start on the same day, and a day's dues depend on nothing else.
        dues = self._dues.get(day)
        if dues is None:
            if len(self._dues) >= _DUES_KEPT:
                self._dues.clear()
            dues = self._dues[day] = self._day_dues(day)
        warn_at, breach_at, deadline, provisional = dues
        return _Clock(start, n, seq, day, warn_at, breach_at, deadline, provisional)

    def _day_dues(self, day: dt.date) -> _Dues:
        """Warning instant, breach instant, deadline and provisional flag of a clock started on
        ``day`` (a day count: ``days`` or ``workdays``)."""
        limit = int(self.limit)
        warn_days = None
        if self.warn_fraction is not None:
            warn_days = max(1, math.ceil(self.warn_fraction * limit))
        if self.unit == "days":
            deadline = day + dt.timedelta(days=limit)
            after = deadline + dt.timedelta(days=1)
            warn_day = None if warn_days is None else day + dt.timedelta(days=warn_days)
            return self._midnight(warn_day), self._at(after), deadline, False
        calendar = self._calendar
        assert calendar is not None  # bind() made sure
        deadline, provisional = calendar.deadline(day, limit)
        after = calendar.add_workdays(day, limit + 1)
        warn_day = None if warn_days is None else calendar.add_workdays(day, warn_days)
        return self._midnight(warn_day), self._at(after), deadline, provisional

    def _midnight(self, day: dt.date | None) -> dt.datetime | None:
        return None if day is None else self._at(day)

    def _at(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(), tzinfo=self.zone)

    def _used(self, clock: _Clock, moment: dt.datetime) -> float:
        """How much of the limit is used from the clock's start to ``moment``."""
        if self.unit == "hours":
            return (moment - clock.start.time).total_seconds() / 3600
        start = clock.day
        assert start is not None  # set for day counts
        end = moment.astimezone(self.zone).date()
        if self.unit == "days":
            return (end - start).days
        assert self._calendar is not None
        return self._calendar.workdays_between(start, end) if end > start else 0

    def _judge_end(self, clock: _Clock, end: Event) -> Sequence[Finding]:
        if clock.day is not None and end.time < clock.breach_at:
            # In time: in a day count, more than the limit is used exactly when B's date is on
            # or after the breach day (``_day_dues``), so most matters need no counting.
            return NO_FINDINGS
        used = self._used(clock, end.time)
        if used <= self.limit:
            return NO_FINDINGS
        over = used - self.limit
        u_zh, u_en = _UNIT_ZH[self.unit], _UNIT_EN[self.unit]
        note_zh, note_en = self._provisional_note(clock)
        return (
            self.finding(
                cases=(end.case,),
                time=end.time,
                stage=Stage.AFTER,
                events=(clock.start, end),
                responsible=end,
                key=str(clock.n),
                message_zh=(
                    f"案件 {end.case}：{m.step_zh(clock.start)}至{m.step_zh(end)}用时 "
                    f"{m.amount(used)} {u_zh}，超过时限 {m.amount(self.limit)} {u_zh} "
                    f"{m.amount(over)} {u_zh}；责任人 {m.person_zh(end)}。{note_zh}"
                ),
                message_en=(
                    f"Case {end.case}: {m.step_en(clock.start)} to {m.step_en(end)} took "
                    f"{m.amount(used)} {u_en}, {m.amount(over)} over the limit of "
                    f"{m.amount(self.limit)}; responsible: {m.person_en(end)}.{note_en}"
                ),
                details=self._details(clock, used),
            ),
        )

    def _details(self, clock: _Clock, used: float) -> dict[str, object]:
        details: dict[str, object] = {
            "limit": self.limit,
            "unit": self.unit,
            "used": used,
            "over": max(used - self.limit, 0),
            "provisional": clock.provisional,
        }
        if clock.deadline is not None:
            details["deadline"] = clock.deadline.isoformat()
        return details

    def _provisional_note(self, clock: _Clock) -> tuple[str, str]:
        if not clock.provisional:
            return "", ""
        return (
            "（该年度节假日安排尚未公布，期限按工作日暂定。）",
            " (Provisional: that year's holidays are not yet published.)",
        )

    def tick(self, now: dt.datetime) -> Sequence[Finding]:
        found: list[Finding] = []
        due = self._due
        while due and due[0][0] <= now:
            _, seq, case, _, breach = heapq.heappop(due)
            clock = self._open.get(case)
            if clock is None or clock.seq != seq:
                # The clock stopped (step B came, or the case ended) before it was due. By its
                # sequence, not its number: after a case ends its id may come again, and the
                # numbers start again from 1.
                continue
            if not breach:
                # The breach comes after the warning and keeps the clock's sequence, so the
                # findings of one tick come in the same order whenever the warning was popped.
                clock.warned = True
                heapq.heappush(due, clock.entry(case))
                if clock.breach_at <= now:
                    continue  # already late: the breach finding says more than a warning would
            found.append(self._open_finding(clock, now, breach))
        return found

    def _open_finding(self, clock: _Clock, now: dt.datetime, breach: bool) -> Finding:
        case = clock.start.case
        holder = self.context.cases.last_event(case) or clock.start
        used = self._used(clock, now)
        u_zh, u_en = _UNIT_ZH[self.unit], _UNIT_EN[self.unit]
        limit = m.amount(self.limit)
        due_zh = f"（截止 {clock.deadline.isoformat()}）" if clock.deadline else ""
        due_en = f" (deadline {clock.deadline.isoformat()})" if clock.deadline else ""
        note_zh, note_en = self._provisional_note(clock)
        if breach:
            zh = f"超过时限 {limit} {u_zh} {m.amount(used - self.limit)} {u_zh}{due_zh}"
            en = f"{m.amount(used - self.limit)} over the limit of {limit}{due_en}"
        else:
            zh = f"时限 {limit} {u_zh}，即将到期{due_zh}"
            en = f"the limit is {limit}, soon due{due_en}"
        events = (clock.start,) if holder is clock.start else (clock.start, holder)
        return self.finding(
            cases=(case,),
            time=now,
            stage=Stage.DURING if breach else Stage.BEFORE,
            events=events,
            responsible=holder,
            key=str(clock.n),
            message_zh=(
                f"案件 {case}：{m.step_zh(clock.start)}后已用 {m.amount(used)} {u_zh}，"
                f"仍未{self.b}，{zh}；当前经办人 {m.person_zh(holder)}。{note_zh}"
            ),
            message_en=(
                f"Case {case}: {m.amount(used)} {u_en} since {m.step_en(clock.start)} and "
                f"{self.b} not yet done; {en}; now held by {m.person_en(holder)}.{note_en}"
            ),
            details=self._details(clock, used),
        )

    def end_case(self, case: str) -> Sequence[Finding]:
        self._open.pop(case, None)
        self._count.pop(case, None)
        return NO_FINDINGS


@register
class WorkingTime(Rule):
    """A step done outside working hours, or on a non-working day of the official calendar.

    .. code-block:: yaml

        - id: WT-01
          template: working_time
          name: 批准须在工作时间内
          activities: [批准]
          hours: ["08:30-12:00", "13:30-18:00"]   # windows [start, end): 18:00 is outside
          workdays_only: true                      # also refuse rest days (make-up days work)
    """

    template = "working_time"

    def __init__(self, spec: RuleSpec, params: Params) -> None:
        super().__init__(spec, params)
        self.activities = frozenset(params.texts("activities"))
        raw = params.texts("hours", ())
        self.windows = tuple(self._window(params, text) for text in raw)
        self.workdays_only = params.flag("workdays_only", False)
        if not self.windows and not self.workdays_only:
            raise params.error(
                "hours", "give hours, workdays_only: true, or both",
                "须填写 hours 或 workdays_only: true（或两者）",
            )  # fmt: skip
        self.hours_text = "、".join(raw)
        self.zone = _zone(params)
        self._calendar: WorkingCalendar | None = None
        self._day: dt.date | None = None  # the day last asked of the calendar, and its answer
        self._rest_day = False

    @staticmethod
    def _window(params: Params, text: str) -> tuple[dt.time, dt.time]:
        try:
            start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-"))
        except ValueError:
            raise params.error(
                "hours", f"{text!r} is not a window such as 08:30-18:00",
                f"{text!r} 不是形如 08:30-18:00 的时段",
            ) from None  # fmt: skip
        if start >= end:
            raise params.error("hours", f"{text!r} ends before it starts", f"{text!r} 结束早于开始")
        return start, end

    def bind(self, context: RuleContext) -> None:
        super().bind(context)
        if self.workdays_only:
            self._calendar = _need_calendar(self, context)

    def watches(self) -> frozenset[str] | None:
        return self.activities

    def feed(self, event: Event) -> Sequence[Finding]:
        local = event.time.astimezone(self.zone)
        off_hours = False
        if self.windows:
            clock = local.time()  # naive: the windows are wall-clock times of the zone
            off_hours = True
            for start, end in self.windows:
                if start <= clock < end:
                    off_hours = False
                    break
        rest_day = False
        if self._calendar is not None:
            day = local.date()
            if day != self._day:  # steps come in time order: most fall on the day before's
                self._day, self._rest_day = day, not self._calendar.is_workday(day)
            rest_day = self._rest_day
        if not (off_hours or rest_day):
            return NO_FINDINGS
        why_zh = "、".join(
            t for t, on in ((f"不在工作时间（{self.hours_text}）内", off_hours),
                            ("当日为非工作日", rest_day)) if on
        )  # fmt: skip
        why_en = " and ".join(
            t for t, on in ((f"outside working hours ({', '.join(self._windows_en())})", off_hours),
                            ("on a non-working day", rest_day)) if on
        )  # fmt: skip
        return (
            self.finding(
                cases=(event.case,),
                time=event.time,
                events=(event,),
                responsible=event,
                key=f"{event.time.isoformat()}|{event.activity}|{event.lifecycle}",
                message_zh=(
                    f"案件 {event.case}：{event.activity}于 {m.minute(local)} 办理，{why_zh}，"
                    f"违反{m.rule_zh(self.spec)}；办理人 {m.person_zh(event)}。"
                ),
                message_en=(
                    f"Case {event.case}: {event.activity} done at {m.minute(local)}, {why_en}, "
                    f"breaking {m.rule_en(self.spec)}; done by {m.person_en(event)}."
                ),
                details={
                    "off_hours": off_hours,
                    "rest_day": rest_day,
                    "local_time": m.minute(local),
                },
            ),
        )

    def _windows_en(self) -> list[str]:
        return [f"{s.strftime('%H:%M')}-{e.strftime('%H:%M')}" for s, e in self.windows]
