"""Flask-Limiter, wired so that a request to a route without a limit pays nothing.

Every limit here is a route decorator (``extensions.limiter.limit``), which checks
its own limits. The extension also gives every request an app-wide before_request
check (for default and blueprint limits, of which there are none), an after_request
hook that adds the X-RateLimit headers and a teardown hook: on a cached feed or a
304, a fifth of the time. The check is dropped; the other two run only for a request
that met a limit, which is when the extension has made its per-request state (on the
request context, the first time a decorator checks). tests/test_security.py checks
the headers and the limits, so a change in the extension shows there.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import Flask
from flask.globals import request_ctx

from eventsapp.extensions import limiter

# Where Flask-Limiter keeps a request's state (flask_limiter/_extension.py, context).
_STATE = "_limiter_request_context"


def init_app(app: Flask) -> None:
    limiter.init_app(app)
    app.before_request_funcs[None] = [
        hook for hook in app.before_request_funcs.get(None, [])
        if hook != limiter._check_request_limit  # noqa: SLF001
    ]
    app.after_request_funcs[None] = [
        _when_limited(hook, answer_with_argument=True) if _is_limiters(hook) else hook
        for hook in app.after_request_funcs.get(None, [])
    ]
    app.teardown_request_funcs[None] = [
        _when_limited(hook, answer_with_argument=False) if _is_limiters(hook) else hook
        for hook in app.teardown_request_funcs.get(None, [])
    ]


def _is_limiters(hook: Callable) -> bool:
    owner = hook.args[0] if isinstance(hook, partial) and hook.args else getattr(
        hook, "__self__", None)
    return owner is limiter


def _when_limited(hook: Callable, *, answer_with_argument: bool) -> Callable:
    def run(argument):
        if hasattr(request_ctx._get_current_object(), _STATE):  # noqa: SLF001
            return hook(argument)
        return argument if answer_with_argument else None

    return run
