"""Load a DataStore table next to the live one and swap it in atomically.

The shadow table is built with the DataStore backend's own code
(`create_table`, `create_indexes`, `_create_fulltext_trigger`, `create_alias`)
under a private name, inside ONE transaction on the write engine. Until that
transaction commits nobody else can see the shadow, so:

* readers keep reading the old table (and its data dictionary) the whole time;
* any failure, or a worker killed mid-load, rolls the transaction back and the
  shadow disappears with it: nothing to clean up, nothing half-written;
* the swap (drop old, rename shadow, rename its sequence/constraint/indexes to
  the names CKAN would have generated, recreate the full-text trigger and the
  aliases) commits together with the data, so readers see either the complete
  old table or the complete new one.

With `index_after_swap` the swap commits right after COPY and the full-text
column and indexes are built on the live table in a second step (reads keep
working; `q=` searches miss rows until it finishes).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import sqlalchemy as sa
from ckanext.datastore.backend import postgres as ds
from psycopg2 import errors as pg_errors

log = logging.getLogger(__name__)

SHADOW_PREFIX = "_satudata_shadow_"
# First key of pg_advisory_lock(int, int): "SDLD" as an int32, our loader's namespace.
LOCK_NAMESPACE = 0x53444C44
_SWAP_LOCK_TIMEOUT = "5s"
_SWAP_ATTEMPTS = 12


def shadow_name(resource_id: str) -> str:
    """The private table name a resource is loaded into (49 characters, under the 63 limit)."""
    return SHADOW_PREFIX + resource_id.replace("-", "")


@dataclass
class Field:
    """A column of the table being loaded."""
    id: str
    type: str
    # The column's raw comment of the old table (`_info` and plugin data), kept across reloads.
    comment: dict[str, Any] | None = None


@dataclass
class OldTable:
    fields: list[dict[str, Any]] = field(default_factory=list)  # [{id, type}]
    comments: dict[str, dict[str, Any]] = field(default_factory=dict)  # raw per column

    def info(self, column_id: str) -> dict[str, Any]:
        info = (self.comments.get(column_id) or {}).get("_info")
        return info if isinstance(info, dict) else {}


def engine() -> sa.engine.Engine:
    return ds.get_write_engine()


def read_old_table(resource_id: str) -> OldTable | None:
    """The live table's columns and data dictionary, or None when there is none."""
    with engine().connect() as conn:
        exists = conn.execute(sa.text(
            "SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = :t"),
            {"t": resource_id}).first()
        if not exists:
            return None
        fields = ds._get_fields(conn, resource_id)
        comments, _old = ds._get_raw_field_info(conn, resource_id)
    return OldTable(fields=fields, comments=comments)


@contextmanager
def resource_lock(resource_id: str, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold a session advisory lock for one resource so two loads never interleave.

    Waits for a running load to finish (polling, so the caller's heartbeat keeps ticking).
    """
    # Autocommit: the lock belongs to the session, no transaction is left open meanwhile.
    with engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        key = {"ns": LOCK_NAMESPACE, "rid": resource_id}
        while not conn.execute(sa.text(
                "SELECT pg_try_advisory_lock(:ns, hashtext(:rid))"), key).scalar():
            if on_wait:
                on_wait()
            time.sleep(1)
        try:
            yield
        finally:
            conn.execute(sa.text("SELECT pg_advisory_unlock(:ns, hashtext(:rid))"), key)


@runtime_checkable
class ByteSource(Protocol):
    """A file-like source COPY reads bytes from (CopyStream, pipe.ChildStream, pipe.TwoParts).

    psycopg2 turns an exception raised in read() into QueryCanceled: `error` keeps it.
    """

    error: BaseException | None

    def read(self, size: int = -1, /) -> bytes: ...


class CopyStream:
    """A file over an iterator of text chunks: COPY streams, nothing is buffered whole."""

    def __init__(self, chunks: Iterable[str]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""
        # psycopg2 turns an exception in read() into QueryCanceled; keep the real one.
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> bytes:
        try:
            return self._read(size)
        except BaseException as exc:
            self.error = exc
            raise

    def _read(self, size: int) -> bytes:
        while size < 0 or len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer = self._buffer + chunk.encode("utf-8") if self._buffer \
                else chunk.encode("utf-8")
        if size < 0 or len(self._buffer) <= size:
            out, self._buffer = self._buffer, b""
        else:
            out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out



def _index_names(resource_id: str, fields: list[dict[str, Any]]) -> list[str]:
    """The full-text index names the backend generates for a table (same order for any id)."""
    names, skipped = ds._build_fts_indexes({"resource_id": resource_id}, "{name}", fields)
    return names + skipped


class ShadowLoad:
    """One load into a shadow table: create, copy, index, swap, in one transaction."""

    def __init__(self, resource_id: str, fields: list[Field], *,
                 statement_timeout_ms: int = 0) -> None:
        self.resource_id = resource_id
        self.name = shadow_name(resource_id)
        self.fields = fields
        self.statement_timeout_ms = statement_timeout_ms
        self.conn: sa.engine.Connection | None = None
        self.old_exists = False
        self.swapped = False

    # --- transaction -------------------------------------------------------

    def __enter__(self) -> ShadowLoad:
        eng = engine()
        ds._cache_types(eng)
        self.conn = eng.connect()
        self.trans = self.conn.begin()
        self.conn.execute(sa.text("SET LOCAL statement_timeout = :t"),
                          {"t": self.statement_timeout_ms})
        # A lost commit after a crash is just a load to run again; no WAL flush wait.
        self.conn.execute(sa.text("SET LOCAL synchronous_commit = off"))
        return self

    def __exit__(self, exc_type: Any, *exc: Any) -> None:
        assert self.conn is not None
        try:
            if exc_type is None:
                self.trans.commit()
            else:
                self.trans.rollback()
        finally:
            self.conn.close()

    @property
    def _context(self) -> dict[str, Any]:
        return {"connection": self.conn}

    def _ds_fields(self) -> list[dict[str, Any]]:
        return [{"id": f.id, "type": f.type} for f in self.fields]

    # --- steps -------------------------------------------------------------

    def create(self) -> None:
        """Create the shadow with the backend's create_table; no trigger while COPY runs."""
        assert self.conn is not None
        self.conn.execute(sa.text(f"DROP TABLE IF EXISTS {ds.identifier(self.name)}"))
        plugin_data = {i: dict(f.comment) for i, f in enumerate(self.fields) if f.comment}
        ds.create_table(self._context, {"resource_id": self.name, "fields": self._ds_fields()},
                        plugin_data)  # type: ignore[arg-type]
        # Maintaining the _id index row by row is a third of COPY's time; one sorted
        # build after it (add_primary_key) is much cheaper. Same constraint, same name.
        self.conn.execute(sa.text(f"ALTER TABLE {ds.identifier(self.name)} "
                                  f"DROP CONSTRAINT {ds.identifier(self.name + '_pkey')}"))
        # nextval() for every row costs COPY a tenth of its time; a session cache of ids
        # makes it cheap. finish_copy() sets the cache back and the counter exactly.
        self.conn.execute(sa.text(
            f"ALTER SEQUENCE {ds.identifier(self.name + '__id_seq')} CACHE 100000"))
        self.old_exists = bool(self.conn.execute(sa.text(
            "SELECT 1 FROM pg_tables WHERE schemaname = 'public' AND tablename = :t"),
            {"t": self.resource_id}).first())

    def copy(self, chunks: Iterable[str] | ByteSource, *, table: str | None = None,
             freeze: bool = False, with_id: bool = False) -> None:
        """COPY text-format data (tab separated, `\\N` for NULL) into the shadow.

        `chunks` is an iterable of text chunks or a ByteSource (read() giving bytes).
        `freeze` (only for a table created in this transaction) writes the rows
        frozen and all-visible, so no later pass rewrites them for hint bits.
        `with_id`: each line starts with its `_id` (increasing; finish_copy sets the
        sequence after the largest), cheaper for PostgreSQL than a default per row.
        """
        assert self.conn is not None
        columns = ", ".join((["_id"] if with_id else [])
                            + [ds.identifier(f.id) for f in self.fields])
        sql = f"COPY {ds.identifier(table or self.name)} ({columns}) FROM STDIN" + (
            " WITH (FREEZE)" if freeze else "")
        cursor = self.conn.connection.cursor()
        stream = chunks if isinstance(chunks, ByteSource) else CopyStream(chunks)
        try:
            cursor.copy_expert(sql, stream, size=1 << 20)
        except Exception:
            if stream.error is not None:
                raise stream.error from None
            raise
        finally:
            cursor.close()

    def finish_copy(self) -> None:
        """After COPY: the _id primary key create() left out (one sorted build) and the
        _id sequence without its cache, at the last _id given (the next upsert follows)."""
        assert self.conn is not None
        q, name = ds.identifier, self.name
        self.conn.execute(sa.text(
            f"ALTER TABLE {q(name)} ADD CONSTRAINT {q(name + '_pkey')} PRIMARY KEY (_id)"))
        sequence = q(name + "__id_seq")
        self.conn.execute(sa.text(f"ALTER SEQUENCE {sequence} CACHE 1"))
        top = self.conn.execute(sa.text(f"SELECT max(_id) FROM {q(name)}")).scalar()
        self.conn.execute(sa.text("SELECT setval(:seq, :value, :called)"), {
            "seq": sequence, "value": top or 1, "called": top is not None})

    def full_text_sql(self, table: str, where: str = "") -> str:
        """One set-based UPDATE filling `_full_text` the way the datastore trigger would."""
        parts = []
        for f in self.fields:
            col = ds.identifier(f.id)
            parts.append(f"coalesce({col}, '')" if f.type == "text"
                         else f"coalesce({col}::text, '')")
        expr = " || ' ' || ".join(parts) if parts else "''"
        return (f"UPDATE {ds.identifier(table)} SET _full_text = to_tsvector({expr})"
                + (f" WHERE {where}" if where else ""))

    def populate_full_text(self) -> None:
        assert self.conn is not None
        self.conn.execute(sa.text(self.full_text_sql(self.name)))

    def create_indexes(self) -> None:
        """The backend's full-text and field indexes, built once on the filled table."""
        assert self.conn is not None
        ds.create_indexes(self._context, {"resource_id": self.name})  # type: ignore[arg-type]

    def analyze(self) -> None:
        assert self.conn is not None
        self.conn.execute(sa.text(f"ANALYZE {ds.identifier(self.name)}"))

    def swap(self) -> None:
        """Replace the live table by the shadow; commits with the caller's transaction."""
        assert self.conn is not None
        conn, rid, name = self.conn, self.resource_id, self.name
        q = ds.identifier
        aliases: list[str] = []
        if self.old_exists:
            self._lock_old_table()
            aliases = ds._get_aliases(self._context, {"resource_id": rid})  # type: ignore[arg-type]
            # CASCADE drops the alias views; they are recreated on the new table below.
            conn.execute(sa.text(f"DROP TABLE {q(rid)} CASCADE"))
        fields = ds._get_fields(conn, name)
        renames = list(zip(_index_names(name, fields), _index_names(rid, fields), strict=True))
        existing = set(ds._get_index_names(conn, name))
        statements = [
            f"ALTER TABLE {q(name)} RENAME TO {q(rid)}",
            f"ALTER SEQUENCE {q(name + '__id_seq')} RENAME TO {q(rid + '__id_seq')}",
            f"ALTER TABLE {q(rid)} RENAME CONSTRAINT {q(name + '_pkey')} TO {q(rid + '_pkey')}",
        ] + [f"ALTER INDEX {q(old)} RENAME TO {q(new)}"
             for old, new in renames if old in existing]
        for statement in statements:
            conn.execute(sa.text(statement))
        ds._create_fulltext_trigger(conn, rid)
        if aliases:
            ds.create_alias(self._context, {"resource_id": rid,  # type: ignore[arg-type]
                                            "aliases": aliases})
        self.swapped = True

    def _lock_old_table(self) -> None:
        """Take the old table's exclusive lock in short tries so waiting readers are not starved."""
        assert self.conn is not None
        for attempt in range(1, _SWAP_ATTEMPTS + 1):
            savepoint = self.conn.begin_nested()
            try:
                self.conn.execute(sa.text(f"SET LOCAL lock_timeout = '{_SWAP_LOCK_TIMEOUT}'"))
                self.conn.execute(sa.text(
                    f"LOCK TABLE {ds.identifier(self.resource_id)} IN ACCESS EXCLUSIVE MODE"))
                self.conn.execute(sa.text("SET LOCAL lock_timeout = 0"))
                savepoint.commit()
                return
            except sa.exc.OperationalError as exc:
                savepoint.rollback()
                if not isinstance(exc.orig, pg_errors.LockNotAvailable) or \
                        attempt == _SWAP_ATTEMPTS:
                    raise
                log.info("swap of %s waits for readers (attempt %s)", self.resource_id, attempt)
                time.sleep(attempt)


def fill_full_text_live(resource_id: str, fields: list[Field], *, batch_rows: int = 100_000,
                        on_batch: Callable[[int, int], None] | None = None,
                        workers: int = 2) -> None:
    """Fill `_full_text` of a live table in committed batches, on `workers` connections.

    Used after an early swap: each batch is short, so readers and the trigger of
    concurrent upserts are never blocked for long.
    """
    import threading

    q = ds.identifier
    helper = ShadowLoad(resource_id, fields)
    with engine().connect() as conn:
        top = int(conn.execute(sa.text(
            f"SELECT coalesce(max(_id), 0) FROM {q(resource_id)}")).scalar() or 0)
    ranges = [(start, start + batch_rows - 1) for start in range(1, top + 1, batch_rows)]
    done = [0]
    lock = threading.Lock()
    failures: list[BaseException] = []

    def work() -> None:
        try:
            while True:
                with lock:
                    if not ranges or failures:
                        return
                    low, high = ranges.pop(0)
                with engine().begin() as conn:
                    conn.execute(sa.text(helper.full_text_sql(
                        resource_id, "_id BETWEEN :low AND :high AND _full_text IS NULL")),
                        {"low": low, "high": high})
                    with lock:
                        done[0] += 1
                        if on_batch:
                            on_batch(min(done[0] * batch_rows, top), top)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            failures.append(exc)

    threads = [threading.Thread(target=work, daemon=True) for _i in range(max(1, workers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]


def create_indexes_live(resource_id: str) -> None:
    """The backend's indexes on a live table (CREATE INDEX allows reads meanwhile)."""
    with engine().begin() as conn:
        ds.create_indexes({"connection": conn}, {"resource_id": resource_id})  # type: ignore[arg-type]
        conn.execute(sa.text(f"ANALYZE {ds.identifier(resource_id)}"))


def copy_error_location(exc: BaseException) -> tuple[int | None, str | None]:
    """(line of the COPY stream, column) from a PostgreSQL COPY error's context, if any."""
    import re

    diag = getattr(getattr(exc, "orig", exc), "diag", None)
    context = getattr(diag, "context", None) or ""
    match = re.search(r"line (\d+)(?:, column ([^:]+))?", context)
    if not match:
        return None, None
    return int(match[1]), match[2]
