"""Requests whose body is generated while the server reads it, so that a test can post tens
of megabytes without holding them, and see how much of them the server read."""

from __future__ import annotations

import sys

from django.test.client import ClientHandler

BOUNDARY = "----portal-test-boundary-7d1f3a"


class StreamedBody:
    """A multipart body: ``bytes`` segments and ``int`` segments (that many filler bytes)."""

    def __init__(self, segments: list[bytes | int]) -> None:
        self.segments = list(segments)
        self.length = sum(s if isinstance(s, int) else len(s) for s in segments)
        self.read_bytes = 0
        self._index = 0
        self._offset = 0

    def read(self, size: int = -1) -> bytes:
        out = bytearray()
        while self._index < len(self.segments) and (size < 0 or len(out) < size):
            segment = self.segments[self._index]
            remaining = (segment if isinstance(segment, int) else len(segment)) - self._offset
            take = remaining if size < 0 else min(remaining, size - len(out))
            if isinstance(segment, int):
                out += b"0" * take
            else:
                out += segment[self._offset : self._offset + take]
            self._offset += take
            if self._offset == (segment if isinstance(segment, int) else len(segment)):
                self._index, self._offset = self._index + 1, 0
        self.read_bytes += len(out)
        return bytes(out)

    def readline(self, size: int = -1) -> bytes:
        raise AssertionError("a multipart body is read by chunks, never by lines")


class UnreadableBody(StreamedBody):
    """Declares ``length`` bytes and fails if anyone reads them."""

    def __init__(self, length: int) -> None:
        super().__init__([])
        self.length = length

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


def field(name: str, value: str) -> bytes:
    return (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n').encode()


def file_part(name: str, file_name: str, size: int, head: bytes = b"%PDF-1.4\n") -> list[bytes | int]:
    header = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"; filename="{file_name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return [header + head, size - len(head), b"\r\n"]


def multipart(*parts: bytes | list[bytes | int]) -> StreamedBody:
    segments: list[bytes | int] = []
    for part in parts:
        segments.extend(part if isinstance(part, list) else [part])
    segments.append(f"--{BOUNDARY}--\r\n".encode())
    return StreamedBody(segments)


def stream_post(client, path: str, body: StreamedBody):
    """POST ``body`` to ``path`` with ``client``'s cookies, through the whole middleware
    stack, as a WSGI server would pass it: a stream of the declared length."""
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length),
        "HTTP_COOKIE": "; ".join(f"{key}={morsel.value}" for key, morsel in client.cookies.items()),
        "wsgi.input": body,
        "wsgi.errors": sys.stderr,
        "wsgi.url_scheme": "http",
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    # The test client's handler: CSRF is not enforced, as for client.post().
    return ClientHandler(enforce_csrf_checks=False)(environ)
