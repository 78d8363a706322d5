"""Ordered, numbered schema migrations of the session database.

Each migration runs in its own transaction and is recorded in the `migrations`
table, so a database knows its schema version and a newer hipthrust upgrades an
older file in order. Never edit a released migration: append a new one.

Units in the schema are the wire protocol's integers (docs/protocol.md):
device times `t_ms` (ms since the sensor booted), durations ms, range of motion
mm, mean velocity mm/s, peak velocity cm/s; host times are unix seconds.
"""

import time

# (version, name, SQL script). The script must not contain BEGIN/COMMIT.
MIGRATIONS = (
    (
        1,
        "sessions, events, sets, reps, raw samples",
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            device TEXT NOT NULL,           -- advertised name, e.g. HipThrust-1A2B
            address TEXT NOT NULL,          -- BLE address
            boot_id INTEGER NOT NULL,       -- random per sensor boot (STATUS record)
            started_at REAL NOT NULL,       -- unix s, host clock, when first opened
            clock_offset_s REAL,            -- unix s at device t_ms = 0 (earliest estimate)
            load_kg REAL,                   -- `hipthrust tag --load`
            variation TEXT,                 -- `hipthrust tag --variation`
            UNIQUE (address, boot_id)
        );
        CREATE TABLE events (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            address TEXT NOT NULL,
            boot_id INTEGER NOT NULL,
            seq INTEGER NOT NULL,           -- unwrapped sequence number (protocol.extend_seq)
            type INTEGER NOT NULL,          -- protocol T_* record type
            t_ms INTEGER,                   -- device time of the record, if it has one
            data BLOB NOT NULL,             -- the record exactly as received
            received_at REAL NOT NULL,      -- unix s, host clock
            UNIQUE (address, boot_id, seq)
        );
        CREATE INDEX events_by_session ON events (session_id, type, seq);
        CREATE TABLE sets (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            start_seq INTEGER NOT NULL,     -- seq of SET_START (or of the first record seen)
            end_seq INTEGER,                -- seq of SET_END, NULL while open or when lost
            set_no INTEGER,                 -- device set number (wraps at 256)
            t_start_ms INTEGER NOT NULL,
            t_end_ms INTEGER,
            reported_reps INTEGER,          -- from SET_END
            reported_full INTEGER,          -- from SET_END
            end_reason TEXT,                -- rest / removed / stopped
            load_kg REAL,                   -- overrides the session's (`tag --set`)
            variation TEXT,                 -- overrides the session's (`tag --set`)
            UNIQUE (session_id, start_seq)
        );
        CREATE TABLE reps (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            set_id INTEGER NOT NULL REFERENCES sets(id),
            seq INTEGER NOT NULL,
            rep_no INTEGER NOT NULL,        -- 1-based, as the sensor numbered it
            flags INTEGER NOT NULL,         -- protocol RF_* bits
            t_ms INTEGER NOT NULL,          -- concentric start
            conc_ms INTEGER NOT NULL,
            hold_ms INTEGER NOT NULL,
            ecc_ms INTEGER NOT NULL,
            bottom_ms INTEGER,              -- next rep's start - this eccentric end, NULL if last
            rom_mm INTEGER NOT NULL,
            mean_mmps INTEGER NOT NULL,
            peak_cmps INTEGER NOT NULL,
            UNIQUE (session_id, seq)
        );
        CREATE INDEX reps_by_set ON reps (set_id, seq);
        CREATE TABLE raw_samples (
            session_id INTEGER NOT NULL REFERENCES sessions(id),
            t_ms INTEGER NOT NULL,          -- device ms
            ax INTEGER NOT NULL, ay INTEGER NOT NULL, az INTEGER NOT NULL,   -- mg
            gx INTEGER NOT NULL, gy INTEGER NOT NULL, gz INTEGER NOT NULL    -- 0.1 deg/s
        );
        CREATE INDEX raw_by_session ON raw_samples (session_id, t_ms);
        """,
    ),
)

LATEST = MIGRATIONS[-1][0]


def current_version(conn):
    """Schema version of an open sqlite3 connection (0 for a new, empty database)."""
    row = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'migrations'"
    ).fetchone()
    if row is None:
        return 0
    return conn.execute("SELECT COALESCE(MAX(version), 0) FROM migrations").fetchone()[0]


def migrate(conn, now=None):
    """Apply every pending migration in order, each in one transaction; returns the version.

    conn must be in autocommit mode (isolation_level=None). The caller handles a
    database newer than LATEST.
    """
    version = current_version(conn)
    for number, name, script in MIGRATIONS:
        if number <= version:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations ("
                " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
            )
            for statement in script.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(
                "INSERT INTO migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (number, name, time.time() if now is None else now),
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        version = number
    return version
