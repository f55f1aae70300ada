"""Starting and stopping the servers a benchmark measures: a free port, waiting for the first
answer, and a clean stop. Every benchmark binds to 127.0.0.1 only."""

import signal
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def open_url(url: str):
    return urllib.request.urlopen(url, timeout=5)  # noqa: S310 - loopback


def wait_for(
    url: str, server: subprocess.Popen, seconds: float = 30, opener: Callable = open_url
) -> bytes:
    """The page at `url`, once the server that was just started answers it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server for {url} exited with {server.returncode}")
        try:
            with opener(url) as response:
                return response.read()
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"no answer from {url} after {seconds:.0f} s")


def stop(server: subprocess.Popen | None, how: int = signal.SIGTERM) -> None:
    if server is None or server.poll() is not None:
        return
    server.send_signal(how)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
