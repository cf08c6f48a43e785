"""Apps as real processes for tests: free ports, waiting until one serves, stopping them."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    """A local TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(url: str, process: subprocess.Popen, log: Path | None = None, timeout_s: float = 90) -> None:
    """Until ``url`` answers 200; fails at once (with the log's tail) if the process exits first."""
    deadline = time.monotonic() + timeout_s

    def tail() -> str:
        return f"\n{log.read_text()[-3000:]}" if log is not None and log.exists() else ""

    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: process exited with {process.returncode}{tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - our own local server
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} not ready within {timeout_s}s{tail()}")


def stop_all(processes: list[subprocess.Popen], timeout_s: float = 10) -> None:
    """SIGTERM every process, then SIGKILL whichever has not exited by the deadline."""
    for process in processes:
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + timeout_s
    for process in processes:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
