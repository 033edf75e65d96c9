"""How hard a model or dataset load tries the Hugging Face hub, and what it says while it does.

huggingface_hub retries a failed request five times with growing waits (about 23 s per file without network)
and logs two lines per retry, each printed twice under Hydra (its own handler, then the root logger's). Scoring
a zoo turns that into minutes of noise per unreachable model. `hub_retries` bounds the retries and says it once.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from tg_bench.errors import UserInputError

log = logging.getLogger(__name__)

#: the huggingface_hub logger that reports retried requests
HUB_HTTP_LOGGER = "huggingface_hub.utils._http"
#: huggingface_hub's functions whose `max_retries` default every hub download uses
_BACKOFF_FUNCTIONS = ("http_backoff", "http_stream_backoff")


class _RetryNotices(logging.Filter):
    """Stops huggingface_hub's per-retry warnings; says the first failure once through our logger and counts
    the retries."""

    def __init__(self, max_retries: int) -> None:
        super().__init__()
        self.max_retries = max_retries
        self.retries = 0
        self.first: str | None = None

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith(("Retrying in", "Rate limited")):
            self.retries += 1
            return False
        if "thrown while requesting" in message or message.startswith("HTTP Error"):
            if self.first is None:
                self.first = message
                then = f"retrying up to {self.max_retries} time(s)" if self.max_retries else "not retrying"
                log.warning("hub request failed (%s); %s (extract.hub_retries)", message, then)
            return False
        return True


@contextmanager
def bounded_hub_retries(max_retries: int) -> Iterator[None]:
    """Within the block, a failed hub request is retried at most `max_retries` times (0: fail at once), the
    first failure is logged once, and one line at the end says how many retries were spent.

    huggingface_hub offers no setting for this, so the default of its backoff functions' `max_retries` is
    swapped for the block and restored after; a version without those functions keeps its own retries.
    """
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise UserInputError(f"extract.hub_retries must be an integer >= 0, not {max_retries!r}")
    try:
        from huggingface_hub.utils import _http
    except ImportError:  # no hub library: nothing to bound
        yield
        return
    saved = {}
    for name in _BACKOFF_FUNCTIONS:
        function = getattr(_http, name, None)
        defaults = getattr(function, "__kwdefaults__", None)
        if defaults and "max_retries" in defaults:
            saved[name] = defaults["max_retries"]
            defaults["max_retries"] = max_retries
    notices = _RetryNotices(max_retries)
    logger = logging.getLogger(HUB_HTTP_LOGGER)
    logger.addFilter(notices)
    try:
        yield
    finally:
        logger.removeFilter(notices)
        for name, value in saved.items():
            getattr(_http, name).__kwdefaults__["max_retries"] = value
        if notices.retries:
            spent = f"{notices.retries} request retr{'y' if notices.retries == 1 else 'ies'}"
            log.warning("hub: %s spent (extract.hub_retries=%d)", spent, max_retries)
