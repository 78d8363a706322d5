"""SQLite session store: idempotent event inserts, sets and reps materialised from them.

    from hipthrust.store import Store, default_db_path
    with Store(default_db_path()) as store:
        sid = store.open_session("HipThrust-1A2B", "24:0A:C4:00:1A:2B", boot_id)
        seq = protocol.extend_seq(store.last_seq(address, boot_id), data[0] | data[1] << 8)
        store.add_record(sid, address, boot_id, seq, data, time.time())

Every event record is kept exactly as received, keyed by (address, boot id,
unwrapped seq), so a resend after a link drop or a host restart stores nothing
twice. Sets and reps are derived from the SET_START / REP / SET_END events in seq
order (the truth, whatever order they arrived in) in the same transaction, which
is committed before add_record returns: a kill -9 afterwards loses nothing.
The database runs in WAL mode, so readers (`hipthrust summary`) never block the
writer (`hipthrust live`). Schema and units: hipthrust.migrations.
"""

import os
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path

import platformdirs

from hipthrust import migrations
from hipthrust.errors import StoreError, UnknownSessionError
from hipthrust_core import records as P

DB_ENV = "HIPTHRUST_DB"
DB_NAME = "sessions.db"
# How long (s) to wait for another program's write lock before giving up.
BUSY_TIMEOUT_S = 5.0

_STRUCTURAL = (P.T_SET_START, P.T_REP, P.T_SET_END)


def default_db_path():
    """The database path: $HIPTHRUST_DB if set, else sessions.db in the user data folder."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("hipthrust", appauthor=False)) / DB_NAME


def _error(path, exc):
    """Turn an sqlite3 error into a one-line StoreError that says what to do."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return StoreError(
            f"database {path} is locked by another program (a running `hipthrust live`?); "
            "close it and retry"
        )
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return StoreError(
            f"{path} is not a hipthrust database or is corrupt; move it away or choose "
            "another with --db"
        )
    if "unable to open" in text or "readonly" in text or "disk I/O" in text:
        return StoreError(
            f"cannot open database {path}: check that its folder exists and is writable, "
            "or choose another with --db"
        )
    return StoreError(f"database {path}: {text}")


class Store:
    """The session database at path (str or Path).

    create=False refuses to create a missing file (read-only commands change
    nothing). timeout: s to wait for another writer's lock (default BUSY_TIMEOUT_S).
    Raises StoreError, one line, when the file is missing (create=False),
    corrupt, locked, unwritable or from a newer hipthrust. Use a Store from the
    thread that opened it (sqlite3 connections are per thread); open another
    Store for another thread or process.
    """

    def __init__(self, path, create=True, timeout=None):
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise StoreError(
                f"no session database at {self.path} yet; record a session with "
                "`hipthrust demo` or `hipthrust live`"
            )
        if create and self.path == default_db_path() and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.conn = None
        try:
            self.conn = sqlite3.connect(
                str(self.path), timeout=BUSY_TIMEOUT_S if timeout is None else timeout,
                isolation_level=None,
            )
            self.conn.execute("PRAGMA foreign_keys = ON")
            version = migrations.current_version(self.conn)  # reads the header: corrupt?
            if version > migrations.LATEST:
                raise StoreError(
                    f"{self.path} was written by a newer hipthrust (schema {version} > "
                    f"{migrations.LATEST}); upgrade hipthrust"
                )
            if version < migrations.LATEST:
                self.conn.execute("PRAGMA journal_mode = WAL")
                migrations.migrate(self.conn)
            # NORMAL in WAL mode: a commit survives the process dying (kill -9),
            # only an OS crash or power cut can lose the last commits.
            self.conn.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error as exc:
            self.close()
            raise _error(self.path, exc) from None
        except StoreError:
            self.close()
            raise

    # ------------------------------------------------------------ plumbing
    def close(self):
        """Close the database (idempotent)."""
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    @contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE ... COMMIT around the block (ROLLBACK on any error);
        sqlite3 errors become StoreError."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _error(self.path, exc) from None
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise _error(self.path, exc) from None
            raise

    def query(self, sql, params=()):
        """Rows (sqlite3.Row) of a read query; sqlite3 errors become StoreError."""
        try:
            cur = self.conn.execute(sql, params)
            cur.row_factory = sqlite3.Row
            return cur.fetchall()
        except sqlite3.Error as exc:
            raise _error(self.path, exc) from None

    # ------------------------------------------------------------ writing
    def open_session(self, device_name, address, boot_id, now=None):
        """Id of the session of this sensor boot, created if new; now = unix s.

        A restarted host gets the same session back for the same (address, boot_id)
        and continues it.
        """
        with self.transaction() as c:
            row = c.execute(
                "SELECT id FROM sessions WHERE address = ? AND boot_id = ?", (address, boot_id)
            ).fetchone()
            if row is not None:
                return row[0]
            cur = c.execute(
                "INSERT INTO sessions (device, address, boot_id, started_at) VALUES (?, ?, ?, ?)",
                (device_name, address, boot_id, time.time() if now is None else now),
            )
            return cur.lastrowid

    def last_seq(self, address, boot_id):
        """Highest unwrapped seq stored for this sensor boot, or None."""
        rows = self.query(
            "SELECT MAX(seq) FROM events WHERE address = ? AND boot_id = ?", (address, boot_id)
        )
        return rows[0][0]

    def add_record(self, session_id, address, boot_id, seq_ext, data, received_at):
        """Store one event record (bytes); True if new, False if already stored.

        seq_ext is the unwrapped seq (its low 16 bits must equal the record's);
        received_at unix s. Raises ProtocolError, storing nothing, when data is
        malformed or a RAW record (those go to add_raw).
        """
        return self.add_records(session_id, address, boot_id, [(seq_ext, data, received_at)]) == 1

    def add_records(self, session_id, address, boot_id, items):
        """Store many (seq_ext, data, received_at) in one transaction; returns how many were new.

        Same checks as add_record; one malformed record stores none of them.
        """
        decoded = [(seq, bytes(data), at, _decode(seq, data)) for seq, data, at in items]
        added = 0
        rebuild_from = None
        with self.transaction() as c:
            for seq, data, at, rec in decoded:
                t_ms = getattr(rec, "t_ms", None)
                cur = c.execute(
                    "INSERT OR IGNORE INTO events (session_id, address, boot_id, seq, type, t_ms,"
                    " data, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (session_id, address, boot_id, seq, data[2], t_ms, data, at),
                )
                if cur.rowcount != 1:
                    continue
                added += 1
                if t_ms is not None:
                    offset = at - t_ms / 1000.0
                    c.execute(
                        "UPDATE sessions SET clock_offset_s = MIN(COALESCE(clock_offset_s, ?), ?)"
                        " WHERE id = ?", (offset, offset, session_id),
                    )
                if data[2] in _STRUCTURAL:
                    rebuild_from = seq if rebuild_from is None else min(rebuild_from, seq)
            if rebuild_from is not None:
                _materialise(c, session_id, rebuild_from)
        return added

    def add_raw(self, session_id, rows):
        """Store raw samples: rows of (t_ms, ax, ay, az, gx, gy, gz) ints (ms, mg, 0.1 deg/s)."""
        with self.transaction() as c:
            c.executemany(
                "INSERT INTO raw_samples (session_id, t_ms, ax, ay, az, gx, gy, gz)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(session_id, *[int(v) for v in row]) for row in rows],
            )

    def rebuild(self, session_id):
        """Re-derive every set and rep of a session from its events (repair, tests)."""
        with self.transaction() as c:
            _materialise(c, session_id, None)

    def tag(self, session_id, load_kg=None, variation=None, set_id=None):
        """Record load (kg) and/or variation for a session, or for one of its sets."""
        self.require_session(session_id)
        table, key = ("sets", set_id) if set_id is not None else ("sessions", session_id)
        with self.transaction() as c:
            if load_kg is not None:
                c.execute(f"UPDATE {table} SET load_kg = ? WHERE id = ?", (load_kg, key))
            if variation is not None:
                c.execute(f"UPDATE {table} SET variation = ? WHERE id = ?", (variation, key))

    # ------------------------------------------------------------ reading
    def require_session(self, session_id):
        """The sessions row; raises UnknownSessionError."""
        rows = self.query("SELECT * FROM sessions WHERE id = ?", (session_id,))
        if not rows:
            raise UnknownSessionError(session_id)
        return rows[0]

    def resolve_session(self, text):
        """Session id for a command-line argument: a number or 'latest'.

        Raises UnknownSessionError, or StoreError when the database has no session."""
        text = str(text).strip()
        if text.lower() == "latest":
            return self.latest_session()
        if not text.isdigit():
            raise UnknownSessionError(text)
        return self.require_session(int(text))["id"]

    def sessions(self):
        """Every session row, oldest first."""
        return self.query("SELECT * FROM sessions ORDER BY started_at, id")

    def latest_session(self):
        """Id of the most recently started session; StoreError when there is none."""
        rows = self.query("SELECT id FROM sessions ORDER BY started_at DESC, id DESC LIMIT 1")
        if not rows:
            raise StoreError(
                f"no sessions in {self.path} yet; record one with `hipthrust demo` or "
                "`hipthrust live`"
            )
        return rows[0][0]

    def sets(self, session_id=None):
        """Set rows (one session, or all) in order, with the session's load/variation
        filled in where the set has none."""
        where, params = ("WHERE s.session_id = ?", (session_id,)) if session_id is not None \
            else ("", ())
        return self.query(
            "SELECT s.id, s.session_id, s.start_seq, s.end_seq, s.set_no, s.t_start_ms,"
            " s.t_end_ms, s.reported_reps, s.reported_full, s.end_reason,"
            " COALESCE(s.load_kg, ss.load_kg) AS load_kg,"
            " COALESCE(s.variation, ss.variation) AS variation"
            f" FROM sets s JOIN sessions ss ON ss.id = s.session_id {where}"
            " ORDER BY s.session_id, s.start_seq", params,
        )

    def reps(self, session_id=None):
        """Rep rows (one session, or all) in seq order."""
        where, params = ("WHERE session_id = ?", (session_id,)) if session_id is not None \
            else ("", ())
        return self.query(f"SELECT * FROM reps {where} ORDER BY session_id, seq", params)

    def raw(self, session_id):
        """Raw sample rows of a session in time order."""
        return self.query(
            "SELECT t_ms, ax, ay, az, gx, gy, gz FROM raw_samples WHERE session_id = ?"
            " ORDER BY t_ms, rowid", (session_id,),
        )


def open_store(db=None, create=False):
    """Store at db (a path, or None for default_db_path()); read-only commands pass
    create=False so that a mistyped path creates nothing."""
    return Store(db if db else default_db_path(), create=create)


def _decode(seq_ext, data):
    rec = P.decode(bytes(data))
    if data[2] == P.T_RAW:
        raise P.ProtocolError("RAW records have their own sequence space: use add_raw")
    if seq_ext & 0xFFFF != rec.seq:
        raise ValueError(f"seq_ext {seq_ext} does not end in the record's seq {rec.seq}")
    return rec


def _segments(records):
    """Split (seq, record) in seq order into sets: dicts with start/end and their reps.

    A SET_START opens a set; a REP or SET_END with no open set opens one (its
    SET_START was lost); a SET_END closes the open set. Each set's start depends
    only on the records from it on, so a scan may restart at any set's start.
    """
    sets = []
    cur = None
    for seq, rec in records:
        kind = type(rec)
        if kind is P.SetStart:
            cur = {"start_seq": seq, "set_no": rec.set_no, "t_start": rec.t_ms, "reps": [],
                   "end": None}
            sets.append(cur)
            continue
        if cur is None or cur["end"] is not None or (
            kind is P.SetEnd and cur["set_no"] is not None and cur["set_no"] != rec.set_no
        ):
            cur = {"start_seq": seq, "set_no": rec.set_no if kind is P.SetEnd else None,
                   "t_start": rec.t_ms, "reps": [], "end": None}
            sets.append(cur)
        if kind is P.Rep:
            cur["reps"].append((seq, rec))
        else:
            cur["end"] = (seq, rec)
    return sets


def _materialise(c, session_id, from_seq):
    """Re-derive the sets and reps of a session from the set containing from_seq on
    (None: all). Sets keep their id (and tags) while their start record stays the same."""
    if from_seq is not None:
        row = c.execute(
            "SELECT MAX(start_seq) FROM sets WHERE session_id = ? AND start_seq <= ?",
            (session_id, from_seq),
        ).fetchone()
        from_seq = row[0] if row[0] is not None else from_seq
    else:
        from_seq = -(1 << 62)
    rows = c.execute(
        "SELECT seq, data FROM events WHERE session_id = ? AND type IN (?, ?, ?) AND seq >= ?"
        " ORDER BY seq", (session_id, *_STRUCTURAL, from_seq),
    ).fetchall()
    keep = []
    for seg in _segments([(seq, P.decode(data)) for seq, data in rows]):
        end_seq, end = seg["end"] if seg["end"] else (None, None)
        set_id = c.execute(
            "INSERT INTO sets (session_id, start_seq, end_seq, set_no, t_start_ms, t_end_ms,"
            " reported_reps, reported_full, end_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (session_id, start_seq) DO UPDATE SET end_seq = excluded.end_seq,"
            " set_no = excluded.set_no, t_start_ms = excluded.t_start_ms,"
            " t_end_ms = excluded.t_end_ms, reported_reps = excluded.reported_reps,"
            " reported_full = excluded.reported_full, end_reason = excluded.end_reason"
            " RETURNING id",
            (session_id, seg["start_seq"], end_seq, seg["set_no"], seg["t_start"],
             end.t_ms if end else None, end.reps if end else None,
             end.full_reps if end else None, P.END_REASONS[end.reason] if end else None),
        ).fetchone()[0]
        keep.append(set_id)
        reps = seg["reps"]
        for i, (seq, r) in enumerate(reps):
            bottom = None
            if i + 1 < len(reps):
                bottom = max(0, reps[i + 1][1].t_ms - (r.t_ms + r.conc_ms + r.hold_ms + r.ecc_ms))
            c.execute(
                "INSERT INTO reps (session_id, set_id, seq, rep_no, flags, t_ms, conc_ms,"
                " hold_ms, ecc_ms, bottom_ms, rom_mm, mean_mmps, peak_cmps)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (session_id, seq) DO UPDATE SET set_id = excluded.set_id,"
                " bottom_ms = excluded.bottom_ms",
                (session_id, set_id, seq, r.rep, r.flags, r.t_ms, r.conc_ms, r.hold_ms,
                 r.ecc_ms, bottom, r.rom_mm, r.mean_mmps, r.peak_cmps),
            )
    marks = ",".join("?" * len(keep)) or "NULL"
    c.execute(
        f"DELETE FROM sets WHERE session_id = ? AND start_seq >= ? AND id NOT IN ({marks})",
        (session_id, from_seq, *keep),
    )
