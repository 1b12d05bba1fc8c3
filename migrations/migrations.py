"""Schema steps for Gadekontakt, applied in order at start-up and by `flask migrate`.

Each step runs in a transaction together with its record in
``_sqlite_migrations`` (sqlite-utils' built-in ``Migrations``), so a failed
step leaves nothing half-applied. Never edit a step that has shipped; add one.
"""
from sqlite_utils import Migrations

migrations = Migrations("gadekontakt")


@migrations(name="0001_app_meta")
def m0001_app_meta(db):
    # Installation facts that outlive a restart, e.g. when the schema was created.
    db.execute(
        "CREATE TABLE app_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    )
    db.execute(
        "INSERT INTO app_meta (key, value) VALUES ('created_at', datetime('now'))"
    )


@migrations(name="0002_teams_users_citizens_encounters")
def m0002_log(db):
    # Everything about citizens carries team_id so every query can be scoped
    # to the worker's own team; ids of citizens and encounters are UUIDs made
    # on the phone, which makes uploads idempotent.
    db.execute("""
        CREATE TABLE teams (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )""")
    db.execute("""
        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            is_admin INTEGER NOT NULL DEFAULT 0,
            active INTEGER NOT NULL DEFAULT 1,
            -- bumped on password reset and deactivation; sessions carry it
            session_version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )""")
    db.execute("""
        CREATE TABLE places (
            id INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            name TEXT NOT NULL,
            UNIQUE (team_id, name)
        )""")
    db.execute("""
        CREATE TABLE citizens (
            id TEXT PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            alias TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            places TEXT NOT NULL DEFAULT '',
            created_by INTEGER NOT NULL REFERENCES users(id),
            created_at TEXT NOT NULL,
            received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )""")
    db.execute("CREATE INDEX citizens_team_alias ON citizens (team_id, alias COLLATE NOCASE)")
    db.execute("""
        CREATE TABLE encounters (
            id TEXT PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            citizen_id TEXT REFERENCES citizens(id) ON DELETE CASCADE,
            occurred_at TEXT NOT NULL,
            place TEXT NOT NULL DEFAULT '',
            worker1_id INTEGER NOT NULL REFERENCES users(id),
            worker2_id INTEGER REFERENCES users(id),
            bvc TEXT,                -- JSON object of the six items, 0/1; NULL when not scored
            bvc_total INTEGER CHECK (bvc_total BETWEEN 0 AND 6),
            bvc_band TEXT CHECK (bvc_band IN ('low', 'moderate', 'high')),
            stage TEXT CHECK (stage IN ('precontemplation', 'contemplation', 'action', 'relapse')),
            techniques TEXT NOT NULL DEFAULT '[]',
            note TEXT NOT NULL DEFAULT '',
            followup_step TEXT NOT NULL DEFAULT '',
            followup_date TEXT,
            created_by INTEGER NOT NULL REFERENCES users(id),
            created_at TEXT NOT NULL,
            received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )""")
    db.execute("CREATE INDEX encounters_citizen_time ON encounters (citizen_id, occurred_at)")
    db.execute("CREATE INDEX encounters_team_time ON encounters (team_id, occurred_at)")


@migrations(name="0003_sessions_devices_access_log")
def m0003_protection(db):
    # Sessions live on the server so logout, deactivation, a password reset
    # or a lost phone end them at once; the cookie holds only a random token,
    # and the table only its hash.
    db.execute("""
        CREATE TABLE devices (
            id TEXT PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            label TEXT NOT NULL DEFAULT '',
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            last_user_id INTEGER REFERENCES users(id),
            lost_at TEXT,
            lost_by INTEGER REFERENCES users(id)
        )""")
    db.execute("""
        CREATE TABLE sessions (
            token_hash TEXT PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            device_id TEXT NOT NULL REFERENCES devices(id),
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            revoked_at TEXT
        )""")
    db.execute("CREATE INDEX sessions_user ON sessions (user_id)")
    db.execute("CREATE INDEX sessions_device ON sessions (device_id)")
    # Failed logins, per account name and per address, for throttling.
    db.execute("""
        CREATE TABLE login_failures (
            key TEXT NOT NULL,
            at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX login_failures_key ON login_failures (key, at)")
    # Who saw or changed which citizen's data. No foreign key to citizens:
    # the log must outlive an erased citizen.
    db.execute("""
        CREATE TABLE access_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            team_id INTEGER NOT NULL,
            user_id INTEGER,
            device_id TEXT,
            citizen_id TEXT,
            action TEXT NOT NULL,
            detail TEXT NOT NULL DEFAULT ''
        )""")
    db.execute("CREATE INDEX access_log_citizen ON access_log (citizen_id, at)")
    db.execute("CREATE INDEX access_log_user ON access_log (user_id, at)")
    # Append-only, enforced by the database: no UPDATE ever, and DELETE only
    # of rows older than the retention period recorded in app_meta.
    db.execute("""
        CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
        BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END""")
    db.execute("""
        CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
        WHEN OLD.at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' ||
                 coalesce((SELECT value FROM app_meta WHERE key = 'access_log_retention_months'), '36')
                 || ' months')
        BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END""")


@migrations(name="0004_checkin_timers")
def m0004_checkin_timers(db):
    # The phone's check-in timers, so the team sees a missed check-in even if
    # the phone dies. Every event the phone sends is kept (idempotent by its
    # UUID) and the timer row is recomputed from them in the order they
    # happened, so late and repeated uploads land exactly. No citizen here:
    # only the worker, the times, the band and the place text as typed.
    db.execute("""
        CREATE TABLE checkin_timers (
            id TEXT PRIMARY KEY,            -- UUID made on the phone
            team_id INTEGER NOT NULL REFERENCES teams(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            started_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            place TEXT NOT NULL DEFAULT '',
            band TEXT CHECK (band IN ('low', 'moderate', 'high')),
            status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'ok', 'checked_out')),
            updated_at TEXT NOT NULL,
            notified_at TEXT                -- when the coordinator was mailed; once per timer
        )""")
    db.execute("CREATE INDEX checkin_timers_team_due ON checkin_timers (team_id, status, due_at)")
    db.execute("""
        CREATE TABLE checkin_events (
            id TEXT PRIMARY KEY,            -- UUID made on the phone
            timer_id TEXT NOT NULL,         -- no foreign key: an event may arrive before its start
            team_id INTEGER NOT NULL REFERENCES teams(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            type TEXT NOT NULL CHECK (type IN ('start', 'extend', 'ok', 'checkout')),
            at TEXT NOT NULL,
            minutes INTEGER,
            place TEXT NOT NULL DEFAULT '',
            band TEXT,
            received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )""")
    db.execute("CREATE INDEX checkin_events_timer ON checkin_events (timer_id)")


@migrations(name="0005_quarantine")
def m0005_quarantine(db):
    # Sealed records handed in by a phone reported lost, until an admin decides.
    db.execute("""
        CREATE TABLE quarantine (
            id INTEGER PRIMARY KEY,
            device_id TEXT NOT NULL REFERENCES devices(id),
            team_id INTEGER NOT NULL REFERENCES teams(id),
            record_id TEXT NOT NULL,
            sealed TEXT NOT NULL,
            received_at TEXT NOT NULL,
            decided_at TEXT,
            decided_by INTEGER REFERENCES users(id),
            decision TEXT CHECK (decision IN ('accept', 'discard')),
            result TEXT,
            UNIQUE (device_id, record_id)
        )""")


@migrations(name="0006_encounter_amendments")
def m0006_encounter_amendments(db):
    # A correction made on the phone is a new record that names the one it
    # corrects (the phone cannot read back or edit a sealed record, and the
    # original may already be on the server with its answer lost). The
    # corrected row stays, hidden, so a change stays traceable and an access
    # request shows both; superseded_by is set when the correction is stored,
    # so hiding it never depends on the correction row surviving an erasure.
    db.execute("ALTER TABLE encounters ADD COLUMN amends TEXT")
    db.execute("ALTER TABLE encounters ADD COLUMN superseded_by TEXT")


@migrations(name="0007_drop_users_session_version")
def m0007_drop_users_session_version(db):
    # Sessions moved to the server (0003): a reset, deactivation or lost
    # phone revokes the session rows themselves, so this counter was never
    # read. A column that claims to end sessions and does not would mislead.
    db.execute("ALTER TABLE users DROP COLUMN session_version")


@migrations(name="0008_team_rules")
def m0008_team_rules(db):
    # The team's own safety rules (code word, way out, SMS, check-in times),
    # one JSON object per team holding only what its administrator has set:
    # a rule added later (pwa/team_rules.py) needs no new column, and a rule
    # not in the object is still its default. No citizen data here.
    db.execute("""
        CREATE TABLE team_rules (
            team_id INTEGER PRIMARY KEY REFERENCES teams(id),
            rules TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(rules) AND json_type(rules) = 'object'),
            updated_at TEXT,
            updated_by INTEGER REFERENCES users(id)
        )""")


@migrations(name="0009_indexes_for_ten_years_of_data")
def m0009_indexes_for_ten_years_of_data(db):
    # Measured with bench/scale.py at 3 million encounters and 5 million
    # access-log rows (docs/performance.md): each index turns a scan that
    # grows with the years into a search. The planner runs without
    # statistics (no ANALYZE in production), so each query has one index
    # that plainly fits it best.
    #
    # A citizen's last contact, stage and risk (the citizen list and page)
    # skip superseded versions: with superseded_by in the key the newest
    # current row is one seek, not a walk through every contact.
    # (encounters_citizen_time stays: retention asks per citizen for
    # anything since a cut-off, whatever its version.)
    db.execute("CREATE INDEX encounters_citizen_current_time ON encounters (citizen_id, superseded_by, occurred_at)")
    # Nothing reads a team's encounters in time order, yet without
    # statistics SQLite took this index for "team_id = ? AND citizen_id = ?
    # ORDER BY occurred_at" (a citizen's page, export and erasure) and walked
    # the whole team's history: 360 ms at 3 M encounters.
    db.execute("DROP INDEX encounters_team_time")
    # Daily retention deletes what is older than a cut-off, across teams.
    db.execute("CREATE INDEX encounters_time ON encounters (occurred_at)")
    db.execute("CREATE INDEX access_log_time ON access_log (at)")
    # The access log is read newest first (ORDER BY id DESC, LIMIT 500) for
    # a team, by citizen or by worker. These keys end in the rowid, so the
    # newest rows come first and reading stops at the limit; the old
    # (column, at) indexes made SQLite collect and sort every matching row.
    db.execute("CREATE INDEX access_log_team_citizen ON access_log (team_id, citizen_id)")
    db.execute("CREATE INDEX access_log_team_user ON access_log (team_id, user_id)")
    db.execute("CREATE INDEX access_log_team ON access_log (team_id)")
    db.execute("DROP INDEX access_log_citizen")
    db.execute("DROP INDEX access_log_user")


@migrations(name="0012_access_log_integrity_login_locks")
def m0012_access_log_integrity_login_locks(db):
    # The outside review (issue 12, item 9) rewrote and removed log rows around
    # 0003's triggers. REPLACE deletes the row it collides with without firing
    # a DELETE trigger, so an insert may never name an id that exists. (In a
    # BEFORE trigger an id SQLite will choose reads as -1.)
    db.execute("""
        CREATE TRIGGER access_log_no_replace BEFORE INSERT ON access_log
        WHEN NEW.id > 0 AND EXISTS (SELECT 1 FROM access_log WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END""")
    # A row is stamped when it is written, so a backdated row (inserted, then
    # deleted as "past retention") cannot exist. The app always takes the
    # column default, which equals 'now' here; five minutes either way leave
    # room for a time taken in Python before a wait on the write lock, and
    # are harmless: no row is deletable younger than the twelve months below.
    # A positive id, so the -1 above can never collide with a real row.
    db.execute("""
        CREATE TRIGGER access_log_stamped_now AFTER INSERT ON access_log
        WHEN NEW.id <= 0
          OR NEW.at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z'
          OR NEW.at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-5 minutes')
          OR NEW.at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '+5 minutes')
        BEGIN SELECT RAISE(ABORT, 'access_log rows are stamped with the time they are written'); END""")
    # Retention may delete only rows older than the recorded period, and never
    # younger than twelve months, whatever app_meta says: 0, a negative number
    # or text there made every row deletable (pwa/retention.py has the floor).
    db.execute("DROP TRIGGER access_log_no_delete")
    db.execute("""
        CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
        WHEN OLD.at > strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-' || max(12, coalesce(CAST(
                 (SELECT value FROM app_meta WHERE key = 'access_log_retention_months') AS INTEGER), 36))
                 || ' months')
        BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END""")
    # An account name locked after many failed logins (issue 12, item 4),
    # until the team's administrator unlocks it on /team. Keyed by the name as
    # typed (lower case), not by user id, so a name nobody has is locked the
    # same way and the lock reveals nothing. Unlocked rows stay as the record
    # of who unlocked what, when.
    db.execute("""
        CREATE TABLE login_locks (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL,
            locked_at TEXT NOT NULL,
            unlocked_at TEXT,
            unlocked_by INTEGER REFERENCES users(id)
        )""")
    db.execute("CREATE UNIQUE INDEX login_locks_open ON login_locks (username) WHERE unlocked_at IS NULL")


@migrations(name="0013_quarantine_review_and_content_digests")
def m0013_quarantine_review_and_content_digests(db):
    # A lost phone's hand-in is opened and checked when it arrives (issue 12,
    # item 3), so the administrator can see what each record is before
    # deciding, one by one: its kind, times, citizen, note length, and why it
    # was refused at the door or why accepting it failed (`result`, JSON).
    # A refused record keeps no sealed blob (sealed = ''): nothing can accept
    # it, and what a stranger sends should cost no storage.
    for column in ("status TEXT NOT NULL DEFAULT 'held' CHECK (status IN ('held', 'refused'))",
                   "kind TEXT", "citizen_id TEXT", "alias TEXT", "occurred_at TEXT", "created_at TEXT",
                   "note_length INTEGER", "amends TEXT", "digest TEXT"):
        db.execute(f"ALTER TABLE quarantine ADD COLUMN {column}")
    # What a stored record said when it arrived (sync.digest), so the same id
    # sent again with other content is a conflict, not a silent "duplicate"
    # (issue 12, item 6), even after the team has corrected the citizen on
    # the server. Rows from before this step have none; they are compared by
    # their columns.
    db.execute("ALTER TABLE citizens ADD COLUMN content_digest TEXT")
    db.execute("ALTER TABLE encounters ADD COLUMN content_digest TEXT")


@migrations(name="0016_checkin_restarts_the_interval")
def m0016_checkin_restarts_the_interval(db):
    # "Jeg er OK" no longer ends a timer (issue 13): it confirms the check-in
    # and the same interval starts again (event 'checkin'); only "Jeg har
    # forladt adressen" ('checkout') and "Stop timeren" ('stop', status
    # 'stopped') end it. 'ok' stays: older phones ended their timer with it,
    # and it still means that. checked_in_at is the last check-in, for the
    # team page and the coordinator's e-mail. SQLite cannot change a CHECK
    # constraint in place, so both tables are rebuilt with their rows and
    # indexes; nothing refers to them by foreign key.
    db.execute("""
        CREATE TABLE checkin_timers_new (
            id TEXT PRIMARY KEY,            -- UUID made on the phone
            team_id INTEGER NOT NULL REFERENCES teams(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            started_at TEXT NOT NULL,
            due_at TEXT NOT NULL,           -- the next check-in
            place TEXT NOT NULL DEFAULT '',
            band TEXT CHECK (band IN ('low', 'moderate', 'high')),
            status TEXT NOT NULL DEFAULT 'running'
                CHECK (status IN ('running', 'ok', 'stopped', 'checked_out')),
            checked_in_at TEXT,             -- the last "Jeg er OK"; NULL until the first
            updated_at TEXT NOT NULL,
            notified_at TEXT                -- when the coordinator was mailed about this due_at
        )""")
    db.execute("""
        INSERT INTO checkin_timers_new (id, team_id, user_id, started_at, due_at, place, band, status,
                                        updated_at, notified_at)
        SELECT id, team_id, user_id, started_at, due_at, place, band, status, updated_at, notified_at
        FROM checkin_timers""")
    db.execute("DROP TABLE checkin_timers")
    db.execute("ALTER TABLE checkin_timers_new RENAME TO checkin_timers")
    db.execute("CREATE INDEX checkin_timers_team_due ON checkin_timers (team_id, status, due_at)")
    db.execute("""
        CREATE TABLE checkin_events_new (
            id TEXT PRIMARY KEY,            -- UUID made on the phone
            timer_id TEXT NOT NULL,         -- no foreign key: an event may arrive before its start
            team_id INTEGER NOT NULL REFERENCES teams(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            type TEXT NOT NULL CHECK (type IN ('start', 'extend', 'checkin', 'ok', 'stop', 'checkout')),
            at TEXT NOT NULL,
            minutes INTEGER,
            place TEXT NOT NULL DEFAULT '',
            band TEXT,
            received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
        )""")
    db.execute("INSERT INTO checkin_events_new SELECT id, timer_id, team_id, user_id, type, at, minutes, place, band,"
               " received_at FROM checkin_events")
    db.execute("DROP TABLE checkin_events")
    db.execute("ALTER TABLE checkin_events_new RENAME TO checkin_events")
    db.execute("CREATE INDEX checkin_events_timer ON checkin_events (timer_id)")


@migrations(name="0018_alerts_with_an_owner")
def m0018_alerts_with_an_owner(db):
    # An alert the team acts on (issue 16): a missed check-in ('overdue',
    # opened by `flask notify-overdue` once per due time), the help button
    # ('help') or the duress code ('duress'). Each has a state, open → taken
    # ("Jeg tager den", by whom, when) → closed (by whom, when, a one-line
    # outcome); a check-in closes an overdue alert by itself (closed_by NULL).
    # client_id is the phone's UUID for help and duress, so an alert sent
    # twice from a phone that lost its signal is one alert. pushed_at,
    # mailed_at and texted_at are the escalation's steps, each claimed once (as
    # checkin_timers.notified_at is). No citizen: the worker, the times and
    # the place text the worker typed.
    db.execute("""
        CREATE TABLE alerts (
            id INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            kind TEXT NOT NULL CHECK (kind IN ('overdue', 'help', 'duress')),
            timer_id TEXT,
            due_at TEXT,                    -- the missed check-in, for 'overdue'
            client_id TEXT UNIQUE,
            raised_at TEXT NOT NULL,
            place TEXT NOT NULL DEFAULT '',
            place_at TEXT,                  -- when the place was last known
            state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'taken', 'closed')),
            taken_by INTEGER REFERENCES users(id),
            taken_at TEXT,
            closed_by INTEGER REFERENCES users(id),
            closed_at TEXT,
            outcome TEXT NOT NULL DEFAULT '',
            pushed_at TEXT,
            mailed_at TEXT,
            texted_at TEXT,
            CHECK ((kind = 'overdue') = (due_at IS NOT NULL AND timer_id IS NOT NULL))
        )""")
    db.execute("CREATE UNIQUE INDEX alerts_once_per_due_time ON alerts (timer_id, due_at) WHERE kind = 'overdue'")
    db.execute("CREATE INDEX alerts_team_state ON alerts (team_id, state)")
    # What happened to each alert, kept like the access log: append-only,
    # enforced by the database (no UPDATE, no DELETE, no REPLACE of a row).
    db.execute("""
        CREATE TABLE alert_history (
            id INTEGER PRIMARY KEY,
            alert_id INTEGER NOT NULL REFERENCES alerts(id),
            at TEXT NOT NULL,
            user_id INTEGER REFERENCES users(id),
            action TEXT NOT NULL CHECK (action IN ('raised', 'pushed', 'mailed', 'texted', 'taken', 'closed')),
            detail TEXT NOT NULL DEFAULT ''
        )""")
    db.execute("CREATE INDEX alert_history_alert ON alert_history (alert_id)")
    db.execute("""
        CREATE TRIGGER alert_history_no_update BEFORE UPDATE ON alert_history
        BEGIN SELECT RAISE(ABORT, 'alert_history is append-only'); END""")
    db.execute("""
        CREATE TRIGGER alert_history_no_delete BEFORE DELETE ON alert_history
        BEGIN SELECT RAISE(ABORT, 'alert_history is append-only'); END""")
    db.execute("""
        CREATE TRIGGER alert_history_no_replace BEFORE INSERT ON alert_history
        WHEN NEW.id > 0 AND EXISTS (SELECT 1 FROM alert_history WHERE id = NEW.id)
        BEGIN SELECT RAISE(ABORT, 'alert_history is append-only'); END""")


@migrations(name="0020_web_push")
def m0020_web_push(db):
    # Web Push (issue 16): one subscription per phone (replaced when it
    # subscribes again), held for the worker logged in on it. Deleted at
    # logout, when the phone is reported lost, and when the push service
    # answers that it is gone (404/410).
    db.execute("""
        CREATE TABLE push_subscriptions (
            device_id TEXT PRIMARY KEY REFERENCES devices(id),
            user_id INTEGER NOT NULL REFERENCES users(id),
            endpoint TEXT NOT NULL UNIQUE,  -- the push service's URL for this phone's browser
            p256dh TEXT NOT NULL,           -- the browser's public key (base64url), RFC 8291
            auth TEXT NOT NULL,             -- the browser's auth secret (base64url)
            created_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX push_subscriptions_user ON push_subscriptions (user_id)")
    # What was pushed: one row per missed due time of a timer, claimed before
    # the push is sent, so two overlapping cron runs never push twice and a
    # check-in (a new due time) is pushed again when it is missed again.
    db.execute("""
        CREATE TABLE push_sent (
            timer_id TEXT NOT NULL,
            due_at TEXT NOT NULL,
            sent_at TEXT NOT NULL,
            PRIMARY KEY (timer_id, due_at)
        )""")
    # Today's partner, chosen on /settings from the team's workers, carried by
    # the timer's start so the partner's phones are pushed too.
    db.execute("ALTER TABLE checkin_events ADD COLUMN partner_user_id INTEGER REFERENCES users(id)")


@migrations(name="0021_places_mapping")
def m0021_places_mapping(db):
    # The team's place list becomes its geographic mapping (issue 18, the
    # manual's appendix 2B): the rows the team page made keep their ids and
    # names (the contact log's picker and encounters.place refer to the name)
    # and gain what the mapping asks of a place. Notes are about the place,
    # never a citizen. `times` is a JSON list of slots ("man-aften",
    # "maaned-start"); `partners` a JSON list of {organisation, contact,
    # phone}; `visit_days` the team's plan (visit at least every n days),
    # NULL when the place has none.
    for column in (
            "area TEXT NOT NULL DEFAULT ''",
            "kind TEXT NOT NULL DEFAULT 'andet' CHECK (kind IN ('park', 'plads', 'vaerested', 'forsorgshjem',"
            " 'stofindtagelsesrum', 'hjem', 'andet'))",
            "times TEXT NOT NULL DEFAULT '[]'",
            "by_appointment INTEGER NOT NULL DEFAULT 0 CHECK (by_appointment IN (0, 1))",
            "partners TEXT NOT NULL DEFAULT '[]'",
            "access_notes TEXT NOT NULL DEFAULT ''",
            "safety_notes TEXT NOT NULL DEFAULT ''",
            "visit_days INTEGER CHECK (visit_days BETWEEN 1 AND 365)",
            "updated_at TEXT"):
        db.execute(f"ALTER TABLE places ADD COLUMN {column}")


@migrations(name="0022_rounds")
def m0022_rounds(db):
    # Today's round (issue 18): the places a pair means to visit, in order,
    # made on a phone (its UUID, sealed, through /api/sync like a contact), and
    # each place ticked off as its own record, so two phones ticking the same
    # round never overwrite each other. No citizen data: places and times.
    # `stops` is a JSON list of place ids; a tick keeps the place's name as it
    # was, so a place removed later still counts in the coverage it had.
    db.execute("""
        CREATE TABLE rounds (
            id TEXT PRIMARY KEY,            -- UUID made on the phone
            team_id INTEGER NOT NULL REFERENCES teams(id),
            created_by INTEGER NOT NULL REFERENCES users(id),
            day TEXT NOT NULL,              -- the team's local date, YYYY-MM-DD
            stops TEXT NOT NULL CHECK (json_valid(stops) AND json_type(stops) = 'array'),
            created_at TEXT NOT NULL,
            received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            content_digest TEXT
        )""")
    db.execute("CREATE INDEX rounds_team_day ON rounds (team_id, day)")
    db.execute("""
        CREATE TABLE round_ticks (
            id TEXT PRIMARY KEY,            -- UUID made on the phone
            team_id INTEGER NOT NULL REFERENCES teams(id),
            created_by INTEGER NOT NULL REFERENCES users(id),
            round_id TEXT NOT NULL REFERENCES rounds(id),
            place_id INTEGER NOT NULL,      -- no foreign key: a place may be removed, its visits stay
            place_name TEXT NOT NULL,
            done_at TEXT NOT NULL,
            created_at TEXT NOT NULL,
            received_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
            content_digest TEXT
        )""")
    db.execute("CREATE INDEX round_ticks_round ON round_ticks (round_id)")
    db.execute("CREATE INDEX round_ticks_team_done ON round_ticks (team_id, done_at)")


@migrations(name="0024_pair_bvc")
def m0024_pair_bvc(db):
    # The makkerscore: when two workers scored one citizen, `bvc` holds the
    # pair's result (the higher) and this the other score, same JSON shape;
    # NULL when one scored. The team's disagreement counts read both.
    db.execute("ALTER TABLE encounters ADD COLUMN bvc_partner TEXT")


@migrations(name="0025_round_retention_indexes")
def m0025_round_retention_indexes(db):
    # After 0024, so a database that has it gets this next, in order. `flask
    # retention` deletes rounds and ticks older than the period by
    # created_at and done_at across all teams; without these it scanned both
    # tables every night (the scale bench's plans, docs/performance.md).
    db.execute("CREATE INDEX rounds_created ON rounds (created_at)")
    db.execute("CREATE INDEX round_ticks_done ON round_ticks (done_at)")


@migrations(name="0026_drop_push_sent")
def m0026_drop_push_sent(db):
    # Once per due time is the overdue alert's own (0018: one alert per timer
    # and due time, its pushed_at claimed before sending); 0020's separate
    # record of what was pushed repeated it.
    db.execute("DROP TABLE push_sent")
