"""Flask-Limiter, wired so that a request to a route without a limit pays nothing.

Every limit here is a route decorator (``extensions.limiter.limit``), which checks
its own limits. The extension also gives every request an app-wide before_request
check (for default and blueprint limits, of which there are none), an after_request
hook that adds the X-RateLimit headers and a teardown hook: on a cached feed or a
304, a fifth of the time. The check is dropped; the other two run only for a request
that met a limit, which is when the extension has made its per-request state (on the
request context, the first time a decorator checks). tests/web/test_security.py checks
the headers and the limits, so a change in the extension shows there.

``LocalStorage`` (``local://``, the default store) counts in the process without the
timer thread of ``limits``' own ``memory://``. ``per_address`` limits the registration
POST with the limiter's own store and strategy, without the decorator's machinery.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from functools import lru_cache, partial, wraps

from flask import Flask, current_app, request
from flask.globals import request_ctx
from flask_limiter.util import get_remote_address
from limits import parse_many
from limits.storage import Storage
from werkzeug.exceptions import TooManyRequests

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


class LocalStorage(Storage):
    """``local://``: fixed-window counts in this process's memory, each key's window
    checked when the key is used.

    The ``limits`` library's own ``memory://`` expires keys from a timer thread that it
    starts again every 10 ms while requests keep coming: under load, a thread started
    for every few registrations (about 60 µs of CPU per POST, measured). Here nothing
    runs in the background; keys of clients that never come back are swept inline, at
    most once a minute. Per process, like ``memory://``: several workers or hosts need a
    shared store (``redis://``) to share one count per address.
    """

    STORAGE_SCHEME = ["local"]
    SWEEP_EVERY = 60.0  # seconds

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        self._counts: dict[str, tuple[int, float]] = {}  # key: (count, window ends at)
        self._lock = threading.Lock()
        self._next_sweep = 0.0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception]:
        return ValueError

    def incr(self, key: str, expiry: float, amount: int = 1) -> int:
        now = time.time()
        with self._lock:
            if now >= self._next_sweep:
                self._counts = {k: v for k, v in self._counts.items() if v[1] > now}
                self._next_sweep = now + self.SWEEP_EVERY
            count, ends = self._counts.get(key, (0, 0.0))
            if ends <= now:  # a new window starts with this hit
                count, ends = 0, now + expiry
            self._counts[key] = (count + amount, ends)
            return count + amount

    def get(self, key: str) -> int:
        count, ends = self._counts.get(key, (0, 0.0))
        return count if ends > time.time() else 0

    def get_expiry(self, key: str) -> float:
        now = time.time()
        _, ends = self._counts.get(key, (0, 0.0))
        return ends if ends > now else now

    def check(self) -> bool:
        return True

    def reset(self) -> int | None:
        with self._lock:
            cleared = len(self._counts)
            self._counts = {}
        return cleared

    def clear(self, key: str) -> None:
        with self._lock:
            self._counts.pop(key, None)


def per_address(config_key: str) -> Callable:
    """A view's POSTs limited per client address by the limits in
    ``config[config_key]`` ("10 per minute;60 per hour"), counted in the limiter's own
    store and strategy; beyond them, a 429 with Retry-After.

    For the registration POST, the hottest limited request: the same counting as
    ``limiter.limit``, without its per-request resolution of limits and exemptions or
    its X-RateLimit headers (a twentieth of the POST's time, measured).
    """

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def limited(*args, **kwargs):
            if request.method == "POST" and limiter.enabled and limiter.initialized:
                _count(config_key, view.__name__)
            return view(*args, **kwargs)

        return limited

    return decorate


def _count(config_key: str, scope: str) -> None:
    address = get_remote_address()
    for item in _parsed(current_app.config[config_key]):
        if not limiter.limiter.hit(item, scope, address):
            reset = limiter.limiter.get_window_stats(item, scope, address).reset_time
            raise TooManyRequests(retry_after=max(int(reset - time.time()) + 1, 1))


def posted_email_key() -> str:
    """A limiter key for the email address a form posts: its SHA-256, so that the
    limiter's store holds no addresses."""
    email = (request.form.get("email") or "").strip().lower()[:254]
    return "email:" + hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()


@lru_cache(maxsize=16)
def _parsed(value: str) -> tuple:
    return tuple(parse_many(value))
