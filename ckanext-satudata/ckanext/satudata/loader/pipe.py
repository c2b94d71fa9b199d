"""Produce COPY bytes in a forked child while the parent streams them into PostgreSQL.

The conversion is pure Python and single-threaded; COPY runs in the PostgreSQL
backend. On two cores they only overlap when the converter and the process
feeding libpq are different processes, so the job forks:

* the child runs `produce(write, count)`: it reads and converts the file,
  `write`s COPY text into a pipe and `count`s rows loaded so far (progress);
* the parent hands the pipe to `copy_expert` (`read()` below) and reports the
  counts as they come;
* the child's return value, or the exception it raised, comes back through a
  result file once the data pipe is closed. The parent checks it before the
  transaction may commit, so a child that failed or died never leaves a
  half-filled table behind: the caller rolls back.

The child never touches the parent's database connections, logging or
threads and leaves with os._exit, so nothing inherited is closed twice.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import pickle
import select
import signal
import struct
import tempfile
from collections.abc import Callable
from typing import Any

_PIPE_SIZE = 1 << 20  # fewer wake-ups per MB than the 64 kB default
_COUNT = struct.Struct("q")


class ChildFailed(Exception):
    """The producing child died without a result (killed, crashed)."""


class ChildStream:
    """A file-like `read()` over the bytes a forked child produces."""

    def __init__(self, produce: Callable[[Callable[[bytes], None], Callable[[int], None]], Any],
                 on_count: Callable[[int], None] | None = None, *, spool: bool = False) -> None:
        self.produce = produce
        self.on_count = on_count
        # spool: the child writes into an unlinked temporary file instead of a pipe, so it
        # never waits for the reader; read() gives b"" at the file's current end.
        self.spool = spool
        self.pid = 0
        self.error: BaseException | None = None  # psycopg2 masks exceptions raised in read()
        self._data = self._counts = -1
        self._result = tempfile.TemporaryFile()  # noqa: SIM115 - closed in __exit__
        self._pending = b""
        self._status = 0

    def __enter__(self) -> ChildStream:
        if self.spool:
            data_w, name = tempfile.mkstemp(prefix="satudata-copy-")
            data_r = os.open(name, os.O_RDONLY)  # its own file offset, apart from the writer's
            os.unlink(name)
        else:
            data_r, data_w = os.pipe()
        count_r, count_w = os.pipe()
        for fd in (data_r, data_w) if not self.spool else ():
            # Above /proc/sys/fs/pipe-max-size the default size is fine too.
            with contextlib.suppress(OSError):
                fcntl.fcntl(fd, getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_SIZE)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, reported through the result file
            os.close(data_r)
            os.close(count_r)
            self._child(data_w, count_w)
        os.close(data_w)
        os.close(count_w)
        os.set_blocking(count_r, False)
        self.pid, self._data, self._counts = pid, data_r, count_r
        return self

    def _child(self, data_w: int, count_w: int) -> None:  # pragma: no cover - child process
        code = 0
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)

            def write(chunk: bytes) -> None:
                view = memoryview(chunk)
                while view:
                    view = view[os.write(data_w, view):]

            def count(rows: int) -> None:
                os.write(count_w, _COUNT.pack(rows))

            try:
                outcome: tuple[str, Any] = ("ok", self.produce(write, count))
            except BaseException as exc:  # noqa: BLE001 - handed to the parent
                outcome = ("error", exc)
            # The result first, then EOF on the data pipe: the parent reads it after COPY.
            os.close(data_w)
            try:
                payload = pickle.dumps(outcome)
            except Exception:  # noqa: BLE001 - an unpicklable exception still reaches the parent
                payload = pickle.dumps(("error", RuntimeError(repr(outcome[1])[:500])))
            self._result.write(payload)
            self._result.flush()
        except BaseException:  # noqa: BLE001 - never return into the parent's code
            code = 1
        finally:
            os._exit(code)

    # --- parent ------------------------------------------------------------

    def read(self, size: int = -1) -> bytes:
        try:
            chunk = os.read(self._data, size if size > 0 else _PIPE_SIZE)
            self._report(final=False)
            return chunk
        except BaseException as exc:
            self.error = exc
            raise

    def _report(self, final: bool) -> None:
        while True:
            try:
                block = os.read(self._counts, 1 << 16)
            except BlockingIOError:
                block = b""
            if not block:
                break
            self._pending += block
            if not final and len(block) < 1 << 16:
                break
        whole = len(self._pending) - len(self._pending) % _COUNT.size
        counts, self._pending = self._pending[:whole], self._pending[whole:]
        if self.on_count:
            for (rows,) in _COUNT.iter_unpack(counts):
                self.on_count(rows)

    def exited(self) -> bool:
        """Whether the child has ended (then result() does not wait)."""
        if not self.pid:
            return True
        pid, status = os.waitpid(self.pid, os.WNOHANG)
        if pid:
            self.pid, self._status = 0, status
        return bool(pid)

    def died(self) -> bool:
        """Whether the child has ended without leaving a result (killed, crashed)."""
        return self.exited() and os.fstat(self._result.fileno()).st_size == 0

    def result(self) -> Any:
        """Wait for the child; its return value, or its exception raised here."""
        if self.pid:
            _pid, self._status = os.waitpid(self.pid, 0)
            self.pid = 0
        status = self._status
        os.set_blocking(self._counts, True)
        self._report(final=True)
        self._result.seek(0)
        payload = self._result.read()
        if not payload:
            raise ChildFailed(f"the converting process ended without a result "
                              f"(exit status {os.waitstatus_to_exitcode(status)})")
        kind, value = pickle.loads(payload)  # noqa: S301 - written by our own child
        if kind == "error":
            raise value
        return value

    def __exit__(self, *exc: object) -> None:
        if self.pid:  # the parent failed first (e.g. PostgreSQL refused a value)
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
            self.pid = 0
        for fd in (self._data, self._counts):
            if fd >= 0:
                os.close(fd)
        self._data = self._counts = -1
        self._result.close()


class TwoParts:
    """read() over a first child's pipe, then a second child's spool file: one COPY.

    The second child spools so it never waits for the first part to be sent;
    its file is read as it grows. `between()` runs once the first part is done
    (it checks the first child's result: its error comes first in the file, as
    for one reader from the top) and `finish()` once the second child's output
    is complete (its result, errors with the file's row numbers). A second
    child that dies stops the COPY at once.
    """

    def __init__(self, first: ChildStream, second: ChildStream, between: Callable[[], None],
                 finish: Callable[[], None]) -> None:
        self.first, self.second = first, second
        self.between, self.finish = between, finish
        self.current = first
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            return self._read(size)
        except BaseException as exc:
            self.error = exc
            raise

    def _read(self, size: int) -> bytes:
        second = self.second
        if self.current is self.first:
            second._report(final=False)
            if second.died():
                second.result()  # raises ChildFailed
            chunk = self.first.read(size)
            if chunk:
                return chunk
            self.between()
            self.current = second
        while True:
            done = second.exited()  # before reading: all it wrote is in the file then
            chunk = second.read(size)
            if chunk:
                return chunk
            if done:
                self.finish()
                return b""
            # A new count follows each chunk the child writes; EOF when it ends.
            select.select([second._counts], [], [], 0.5)
