"""A failed hub request is retried `extract.hub_retries` times and said once, not twice per retry; nothing here
leaves the machine (the requests go to a closed local port)."""

from __future__ import annotations

import logging
import socket

import pytest

from tg_bench.errors import UserInputError
from tg_bench.extract.hub import HUB_HTTP_LOGGER, bounded_hub_retries


def _closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/config.json"  # nothing listens once the socket is closed


def _failing_request(caplog: pytest.LogCaptureFixture, retries: int) -> tuple[list[str], list[str]]:
    """One hub request to a closed port under `bounded_hub_retries(retries)`: the warnings of huggingface_hub and
    of tg_bench that reached the log."""
    from huggingface_hub.utils import _http

    refused = pytest.raises(Exception, match="Connection refused")
    with caplog.at_level(logging.WARNING), bounded_hub_retries(retries), refused:
        _http.http_backoff("HEAD", _closed_port_url(), base_wait_time=0.01, max_wait_time=0.01)
    hub = [r.getMessage() for r in caplog.records if r.name == HUB_HTTP_LOGGER]
    ours = [r.getMessage() for r in caplog.records if r.name.startswith("tg_bench")]
    return hub, ours


def test_hub_retries_bound_the_retries_and_say_so_once(caplog: pytest.LogCaptureFixture) -> None:
    from huggingface_hub.utils import _http

    default = _http.http_backoff.__kwdefaults__["max_retries"]
    hub, ours = _failing_request(caplog, 2)
    assert hub == [] and len(ours) == 2
    assert "hub request failed" in ours[0] and "retrying up to 2 time(s)" in ours[0] and "127.0.0.1" in ours[0]
    assert ours[1] == "hub: 2 request retries spent (extract.hub_retries=2)"
    assert _http.http_backoff.__kwdefaults__["max_retries"] == default  # restored
    caplog.clear()
    hub, ours = _failing_request(caplog, 0)
    assert hub == [] and len(ours) == 1 and "not retrying" in ours[0]  # failed at once
    with pytest.raises(UserInputError, match=r"extract\.hub_retries must be an integer >= 0"), bounded_hub_retries(-1):
        pass
