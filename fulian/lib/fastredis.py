"""One Redis script call with as little Python as possible, for the page-cache hot path.

redis-py spends more CPU per call (connection pool, retries, command packing) than the
whole rest of a cache hit. This keeps one socket per thread, packs the EVALSHA command
by hand and parses the reply with hiredis. Anything unusual (no connection, NOSCRIPT)
raises or falls back to redis-py, so callers treat it as the cache being unavailable.
"""

from __future__ import annotations

import contextlib
import hashlib
import socket
import threading
from typing import Any
from urllib.parse import unquote, urlparse

import hiredis


def _bulk(part: Any) -> bytes:
    data = part if isinstance(part, bytes) else str(part).encode()
    return b"$%d\r\n%s\r\n" % (len(data), data)


def _encode(parts: list[Any]) -> bytes:
    return b"*%d\r\n" % len(parts) + b"".join(map(_bulk, parts))


class ScriptCaller:
    def __init__(self, url: str, script: str, *, timeout: float = 2.0) -> None:
        parsed = urlparse(url)
        self.unix_path = parsed.path if parsed.scheme == "unix" else None
        self.address = (parsed.hostname or "127.0.0.1", parsed.port or 6379)
        self.password = unquote(parsed.password) if parsed.password else None
        self.username = unquote(parsed.username) if parsed.username else None
        db = parsed.path.lstrip("/") if parsed.scheme != "unix" else ""
        self.db = int(db) if db.isdigit() else 0
        self.script = script.encode()
        self.sha = hashlib.sha1(self.script, usedforsecurity=False).hexdigest()
        self.timeout = timeout
        self._local = threading.local()

    def _connect(self) -> tuple[socket.socket, hiredis.Reader]:
        if self.unix_path:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(self.unix_path)
        else:
            sock = socket.create_connection(self.address, timeout=self.timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = hiredis.Reader()
        self._local.conn = (sock, reader)
        if self.password:
            auth = [b"AUTH", self.username, self.password] if self.username else [b"AUTH", self.password]
            self._roundtrip(_encode(auth))
        if self.db:
            self._roundtrip(_encode([b"SELECT", self.db]))
        return sock, reader

    def _roundtrip(self, command: bytes) -> Any:
        sock, reader = self._local.conn
        sock.sendall(command)
        while True:
            reply = reader.gets()
            if reply is not False:
                if isinstance(reply, hiredis.ReplyError):
                    raise reply
                return reply
            chunk = sock.recv(65536)
            if not chunk:
                raise ConnectionError("Redis closed the connection")
            reader.feed(chunk)

    def __call__(self, keys: list[Any], args: list[Any]) -> Any:
        command = _encode([b"EVALSHA", self.sha, len(keys), *keys, *args])
        if getattr(self._local, "conn", None) is None:
            self._connect()
        try:
            return self._roundtrip(command)
        except hiredis.ReplyError as error:
            if not str(error).startswith("NOSCRIPT"):
                raise
            self._roundtrip(_encode([b"SCRIPT", b"LOAD", self.script]))
            return self._roundtrip(command)
        except OSError:
            # A dropped connection (Redis restarted): reconnect once, then let the caller fall back.
            self.close()
            self._connect()
            return self._roundtrip(command)

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with contextlib.suppress(OSError):
                conn[0].close()
