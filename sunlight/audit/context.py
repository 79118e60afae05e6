"""Who is asking, from where, under which request id: set once per request, read by audit writes."""

from __future__ import annotations

import contextvars
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None


_current: contextvars.ContextVar[RequestContext] = contextvars.ContextVar(
    "sunlight_request_context",
    default=RequestContext(),  # noqa: B039  (frozen, so immutable)
)


def current() -> RequestContext:
    return _current.get()


def bind(context: RequestContext) -> contextvars.Token[RequestContext]:
    return _current.set(context)


def unbind(token: contextvars.Token[RequestContext]) -> None:
    _current.reset(token)
