"""A local SMTP server that accepts and counts messages, for the mail benchmark and for
checking the real e-mail path by hand (``python -m tools.smtp_sink 2525``). aiosmtpd's
controller runs the server in a thread of its own."""

from __future__ import annotations

import asyncio
import socket
import sys
import threading

from aiosmtpd.controller import Controller


class _CountingHandler:
    def __init__(self, delay: float = 0.0) -> None:
        self.count = 0
        self.recipients: list[str] = []
        self.delay = delay
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)  # a slower server, to catch a sender mid-batch
        with self._lock:
            self.count += 1
            self.recipients.extend(envelope.rcpt_tos)
        return "250 OK queued"


def _free_port(host: str) -> int:
    # aiosmtpd's controller checks the server answers on the port it was given, so port 0
    # ("any") cannot be passed through: ask the system for a free one first.
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


class SmtpSink:
    """``count`` messages accepted so far, ``recipients`` their envelope recipients in order;
    ``delay`` seconds spent on each message before accepting it."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, delay: float = 0.0) -> None:
        self.host, self.port = host, port
        self._handler = _CountingHandler(delay)
        self._controller: Controller | None = None

    @property
    def count(self) -> int:
        return self._handler.count

    @property
    def recipients(self) -> list[str]:
        with self._handler._lock:
            return list(self._handler.recipients)

    def start(self) -> SmtpSink:
        if not self.port:
            self.port = _free_port(self.host)
        self._controller = Controller(self._handler, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()


if __name__ == "__main__":
    sink = SmtpSink(port=int(sys.argv[1]) if len(sys.argv) > 1 else 2525).start()
    print(f"SMTP sink on {sink.host}:{sink.port}; Ctrl-C to stop")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print(f"{sink.count} messages received")
        sink.stop()
