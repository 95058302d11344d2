"""A real Chroma server on loopback (`chroma run`, installed with chromadb), for the tests and the benchmarks."""
from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def chroma_server(folder: Path) -> Iterator[str]:
    """`chroma run` storing under ``folder`` on a free port: its URL while it runs, stopped after."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        exe = Path(sys.executable).with_name("chroma")
        proc = subprocess.Popen([str(exe), "run", "--path", str(folder / "data"), "--host", "127.0.0.1", "--port",
                                 str(port)], stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        try:
            _await_heartbeat(url, proc, log_path)
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=30)


def _await_heartbeat(url: str, proc: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2).close()
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chroma run did not start: {log_path.read_text(errors='replace')[-2000:]}")
            time.sleep(0.2)
