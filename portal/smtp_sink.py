"""A minimal SMTP server that accepts and counts messages, for benchmarks and local
checks of the real e-mail path (``python -m portal.smtp_sink 2525``)."""

from __future__ import annotations

import asyncio
import sys
import threading


class SmtpSink:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.count = 0
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"220 sink ESMTP\r\n")
        in_data = False
        while line := await reader.readline():
            if in_data:
                if line == b".\r\n":
                    in_data = False
                    self.count += 1
                    writer.write(b"250 OK queued\r\n")
                continue
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                writer.write(b"250 sink\r\n")
            elif verb == b"DATA":
                in_data = True
                writer.write(b"354 end with .\r\n")
            elif verb == b"QUIT":
                writer.write(b"221 bye\r\n")
                await writer.drain()
                break
            else:  # MAIL, RCPT, RSET, NOOP
                writer.write(b"250 OK\r\n")
            await writer.drain()
        writer.close()

    def start(self) -> SmtpSink:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(asyncio.start_server(self._session, self.host, self.port), self._loop)
        self._server = future.result(timeout=5)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)


if __name__ == "__main__":
    sink = SmtpSink(port=int(sys.argv[1]) if len(sys.argv) > 1 else 2525).start()
    print(f"SMTP sink on {sink.host}:{sink.port}; Ctrl-C to stop")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print(f"{sink.count} messages received")
        sink.stop()
