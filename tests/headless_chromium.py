"""Drive headless Chromium over the DevTools protocol on a pipe (no extra packages).

``--remote-debugging-pipe`` makes Chromium read protocol commands from fd 3 and
write replies and events to fd 4, as NUL-terminated JSON messages; no port, no
websocket library. :class:`Chromium` opens one page session, records console
messages, exceptions, log entries and network requests, and offers
``navigate``, ``evaluate``, ``screenshot`` and ``pdf``.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

DEFAULT_BINARY = "/usr/bin/chromium"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-default-apps", "--disable-extensions", "--no-default-browser-check", "--hide-scrollbars",
         "--mute-audio", "--disable-dev-shm-usage", "--remote-debugging-pipe")


def chromium_binary() -> str | None:
    path = os.environ.get("CHROMIUM", DEFAULT_BINARY)
    return path if Path(path).is_file() and os.access(path, os.X_OK) else None


class ChromiumError(RuntimeError):
    pass


def _high_fd(fd: int) -> int:
    """Move ``fd`` to a number >= 10 (close-on-exec) so dup2 onto 3 and 4 cannot clobber it."""
    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return high


class Chromium:
    def __init__(self, binary: str = DEFAULT_BINARY, timeout: float = 30.0, width: int = 1100, height: int = 900):
        self.timeout = timeout
        self.profile = tempfile.mkdtemp(prefix="pfocr-chromium-")
        to_child_r, self._to_child = (_high_fd(fd) for fd in os.pipe())
        self._from_child, from_child_w = (_high_fd(fd) for fd in os.pipe())

        def wire_fds():  # in the child: our pipe ends become fds 3 (commands) and 4 (replies)
            os.dup2(to_child_r, 3)
            os.dup2(from_child_w, 4)

        self.stderr_path = Path(self.profile).with_suffix(".stderr.log")
        with open(self.stderr_path, "wb") as stderr:
            # close_fds=False: fds 3 and 4 are created in preexec_fn and must survive exec;
            # every other descriptor Python opened is close-on-exec anyway.
            self.proc = subprocess.Popen([binary, *FLAGS, f"--user-data-dir={self.profile}",
                                          f"--window-size={width},{height}", "about:blank"],
                                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
                                         preexec_fn=wire_fds, close_fds=False)
        os.close(to_child_r)
        os.close(from_child_w)
        self._next_id = 0
        self._replies: dict[int, queue.Queue] = {}
        self._lock = threading.Lock()
        self.events: list[dict] = []
        self._event_signal = threading.Condition()
        self._reader = threading.Thread(target=self._read_loop, daemon=True)
        self._reader.start()
        self.session = None
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    # --- protocol ----------------------------------------------------------------
    def _read_loop(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._from_child, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            buffer += chunk
            while b"\0" in buffer:
                raw, buffer = buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "id" in message:
                    with self._lock:
                        box = self._replies.get(message["id"])
                    if box is not None:
                        box.put(message)
                else:
                    with self._event_signal:
                        self.events.append(message)
                        self._event_signal.notify_all()

    def send(self, method: str, params: dict | None = None, session: bool = True) -> dict:
        with self._lock:
            self._next_id += 1
            msg_id = self._next_id
            box: queue.Queue = queue.Queue()
            self._replies[msg_id] = box
        message = {"id": msg_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        try:
            reply = box.get(timeout=self.timeout)
        except queue.Empty:
            raise ChromiumError(f"no reply to {method} within {self.timeout} s") from None
        if "error" in reply:
            raise ChromiumError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_event(self, method: str, after: int = 0) -> dict:
        deadline = time.monotonic() + self.timeout
        with self._event_signal:
            while True:
                for event in self.events[after:]:
                    if event.get("method") == method:
                        return event
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise ChromiumError(f"no {method} event within {self.timeout} s")
                self._event_signal.wait(remaining)

    # --- page helpers --------------------------------------------------------------
    def navigate(self, url: str) -> None:
        mark = len(self.events)
        result = self.send("Page.navigate", {"url": url})
        if result.get("errorText"):
            raise ChromiumError(f"navigation to {url} failed: {result['errorText']}")
        self.wait_event("Page.loadEventFired", after=mark)

    def evaluate(self, expression: str):
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True,
                                                "awaitPromise": True})
        if "exceptionDetails" in result:
            raise ChromiumError(f"evaluation failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: str | os.PathLike, full_page: bool = True) -> None:
        params: dict = {"format": "png"}
        if full_page:
            width = self.evaluate("document.documentElement.scrollWidth")
            height = self.evaluate("document.documentElement.scrollHeight")
            params.update(captureBeyondViewport=True, clip={"x": 0, "y": 0, "width": width, "height": height,
                                                            "scale": 1})
        data = self.send("Page.captureScreenshot", params)["data"]
        Path(path).write_bytes(base64.b64decode(data))

    def pdf(self, path: str | os.PathLike) -> None:
        data = self.send("Page.printToPDF", {"printBackground": False, "preferCSSPageSize": True})["data"]
        Path(path).write_bytes(base64.b64decode(data))

    # --- what happened -------------------------------------------------------------
    def problems(self) -> list[str]:
        """Console errors/warnings, uncaught exceptions and error log entries so far."""
        found = []
        for e in list(self.events):
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                found.append(f"console.{p['type']}: " + " ".join(str(a.get("value", a.get("description")))
                                                                 for a in p.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                found.append(f"exception: {p.get('exceptionDetails', {}).get('text')}")
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                found.append(f"log {p['entry']['level']}: {p['entry'].get('text')} {p['entry'].get('url', '')}")
        return found

    def requests(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in list(self.events)
                if e.get("method") == "Network.requestWillBeSent"]

    def close(self) -> None:
        try:
            self.send("Browser.close", session=False)
        except (ChromiumError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        for fd in (self._to_child, self._from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)
        self.stderr_path.unlink(missing_ok=True)

    def __enter__(self) -> "Chromium":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
