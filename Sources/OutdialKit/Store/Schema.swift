/// The database schema as a list of forward migrations (SPEC §9).
///
/// Instants are integer milliseconds UTC, phones E.164 text, JSON columns valid
/// JSON. docs/schema.md describes every table and column: keep it in step.
public enum Schema {
    /// The id of the campaign whose name is bound to `parameter`, for SQL
    /// that filters or writes by campaign (rows hold the id, never the name).
    static func campaignID(_ parameter: String = "?") -> String { "(SELECT id FROM campaigns WHERE name = \(parameter))" }

    public static let migrations: [Migration] = [
        Migration(
            version: 1, summary: "core tables: leads, zone sets, numbers, dnc, calls, events, workflow runs, CRM records, messages, outbox", sql: version1),
        Migration(version: 2, summary: "narrower call and workflow-run indexes: fewer index writes per call", sql: version2),
        Migration(version: 3, summary: "CHECK constraints as OR chains: no temporary b-tree per row written", edits: version3),
        Migration(
            version: 4, summary: "numbers.provider_number_id: the provider's id of a caller ID (Vapi's phoneNumberId)",
            sql: "ALTER TABLE numbers ADD COLUMN provider_number_id TEXT;"),
        Migration(
            version: 5,
            summary:
                "messaging and readable times: outbox delivery states, message status, leads.source; call_results and lead_results views with ISO 8601 text",
            sql: version5, edits: version5Edits),
        Migration(version: 6, summary: "lead lists: leads import --list puts leads in named lists, a campaign's audience selects by them", sql: version6),
        Migration(version: 7, summary: "campaign_leads view: each lead's status in each campaign it is in", sql: version7),
        Migration(
            version: 8, summary: "campaign names stored once: calls, workflow runs, campaign state and enrolment events refer to campaigns by id",
            sql: version8, rebuildsTables: ["calls", "workflow_runs", "campaign_state"]),
        Migration(
            version: 9, summary: "leads.phone_source: the CSV column a lead's phone came from when it was not the phone column (a second phone)",
            sql: "ALTER TABLE leads ADD COLUMN phone_source TEXT;"),
        Migration(
            version: 10, summary: "leads.phone may be NULL: a contact who wrote first by email or a channel handle is a lead without a phone",
            edits: [SchemaEdit(table: "leads", from: "phone         TEXT NOT NULL,", to: "phone         TEXT,")]),
    ]

    /// A campaign's name was copied into every call, workflow run, state row and
    /// enrolment event key; it is now in `campaigns` once and the rows hold its
    /// id. Every name any row used gets its `campaigns` row first; the three
    /// tables are rebuilt with `campaign_id` in the place `campaign` had (the
    /// other columns and every row are the same), and the views that showed
    /// `campaign` show it still, joined from `campaigns`. Enrolment keys move
    /// in two passes: `lead_added:<name>:<lead>` for a campaign named "7"
    /// would otherwise collide with the new key of the campaign whose id is 7.
    static let version8 = """
        INSERT OR IGNORE INTO campaigns (name, file, created_at)
            SELECT campaign, NULL, min(queued_at) FROM calls WHERE campaign IS NOT NULL GROUP BY campaign;
        INSERT OR IGNORE INTO campaigns (name, file, created_at) SELECT campaign, NULL, min(created_at) FROM workflow_runs GROUP BY campaign;
        INSERT OR IGNORE INTO campaigns (name, file, created_at) SELECT campaign, NULL, 0 FROM campaign_state GROUP BY campaign;
        INSERT OR IGNORE INTO campaigns (name, file, created_at)
            SELECT substr(dedupe_key, 12, length(dedupe_key) - 12 - length(lead_id)), NULL, min(occurred_at) FROM events
            WHERE kind = 'lead_added' AND lead_id IS NOT NULL AND dedupe_key LIKE 'lead_added:%:' || lead_id GROUP BY 1;
        UPDATE events SET dedupe_key = 'migrating:lead_added:' || (
                SELECT c.id FROM campaigns c WHERE events.dedupe_key = 'lead_added:' || c.name || ':' || events.lead_id) || ':' || lead_id
            WHERE kind = 'lead_added' AND lead_id IS NOT NULL
                AND EXISTS (SELECT 1 FROM campaigns c WHERE events.dedupe_key = 'lead_added:' || c.name || ':' || events.lead_id);
        UPDATE events SET dedupe_key = substr(dedupe_key, 11) WHERE kind = 'lead_added' AND dedupe_key LIKE 'migrating:lead_added:%';

        DROP VIEW call_results;
        DROP VIEW lead_results;
        DROP VIEW campaign_leads;

        CREATE TABLE calls_v8 (
            call_id                    INTEGER PRIMARY KEY,
            provider                   TEXT NOT NULL,
            provider_call_id           TEXT,
            connection                 TEXT,
            agent_id                   TEXT,
            lead_id                    INTEGER REFERENCES leads(id),
            campaign_id                INTEGER REFERENCES campaigns(id),
            workflow_run_id            INTEGER,
            attempt                    INTEGER NOT NULL DEFAULT 1,
            direction                  TEXT NOT NULL DEFAULT 'outbound',
            from_number                TEXT,
            to_number                  TEXT NOT NULL,
            status                     TEXT NOT NULL DEFAULT 'queued'
                CHECK (status = 'queued' OR status = 'dialing' OR status = 'in_progress' OR status = 'completed' OR status = 'failed' OR status = 'unknown'),
            outcome                    TEXT
                CHECK (outcome IS NULL OR outcome = 'answered' OR outcome = 'voicemail' OR outcome = 'no_answer' OR outcome = 'busy' \
        OR outcome = 'failed' OR outcome = 'declined' OR outcome = 'invalid_number' OR outcome = 'spam_blocked'),
            disconnection_reason       TEXT,
            queued_at                  INTEGER NOT NULL,
            started_at                 INTEGER,
            ended_at                   INTEGER,
            duration_ms                INTEGER,
            transcript                 TEXT,
            transcript_json            TEXT,
            recording_url              TEXT,
            recording_multichannel_url TEXT,
            public_log_url             TEXT,
            summary                    TEXT,
            sentiment                  TEXT CHECK (sentiment IS NULL OR sentiment = 'positive' OR sentiment = 'neutral' OR sentiment = 'negative' OR sentiment = 'unknown'),
            call_successful            INTEGER,
            in_voicemail               INTEGER,
            user_spoke                 INTEGER,
            custom_analysis            TEXT,
            dynamic_variables          TEXT,
            collected_variables        TEXT,
            transfer_to                TEXT,
            cost_cents                 INTEGER,
            latency_json               TEXT,
            error_message              TEXT,
            lead_timezone              TEXT,
            selection_tier             TEXT,
            raw                        TEXT,
            UNIQUE (lead_id, campaign_id, attempt)
        );
        INSERT INTO calls_v8
            SELECT call_id, provider, provider_call_id, connection, agent_id, lead_id, (SELECT id FROM campaigns WHERE name = calls.campaign),
                workflow_run_id, attempt, direction, from_number, to_number, status, outcome, disconnection_reason, queued_at, started_at, ended_at,
                duration_ms, transcript, transcript_json, recording_url, recording_multichannel_url, public_log_url, summary, sentiment,
                call_successful, in_voicemail, user_spoke, custom_analysis, dynamic_variables, collected_variables, transfer_to, cost_cents,
                latency_json, error_message, lead_timezone, selection_tier, raw
            FROM calls ORDER BY call_id;
        DROP TABLE calls;
        ALTER TABLE calls_v8 RENAME TO calls;
        CREATE UNIQUE INDEX calls_provider_call_id ON calls(provider, provider_call_id) WHERE provider_call_id IS NOT NULL;
        CREATE INDEX calls_in_flight ON calls(campaign_id) WHERE status IN ('queued', 'dialing');
        CREATE INDEX calls_queued ON calls(queued_at);

        CREATE TABLE workflow_runs_v8 (
            id           INTEGER PRIMARY KEY,
            campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
            workflow     TEXT NOT NULL,
            lead_id      INTEGER REFERENCES leads(id),
            event_id     INTEGER REFERENCES events(id),
            status       TEXT NOT NULL DEFAULT 'waiting'
                CHECK (status = 'waiting' OR status = 'running' OR status = 'done' OR status = 'stopped' OR status = 'failed'),
            position     TEXT NOT NULL DEFAULT '[0]',
            wake_at      INTEGER,
            context      TEXT NOT NULL DEFAULT '{}',
            error        TEXT,
            created_at   INTEGER NOT NULL,
            updated_at   INTEGER NOT NULL,
            UNIQUE (event_id, workflow, campaign_id, lead_id)
        );
        INSERT INTO workflow_runs_v8
            SELECT id, (SELECT c.id FROM campaigns c WHERE c.name = workflow_runs.campaign), workflow, lead_id, event_id, status, position, wake_at,
                context, error, created_at, updated_at
            FROM workflow_runs ORDER BY id;
        DROP TABLE workflow_runs;
        ALTER TABLE workflow_runs_v8 RENAME TO workflow_runs;
        CREATE INDEX workflow_runs_waiting ON workflow_runs(campaign_id, wake_at) WHERE status = 'waiting';

        CREATE TABLE campaign_state_v8 (
            campaign_id  INTEGER NOT NULL REFERENCES campaigns(id),
            key          TEXT NOT NULL,
            value        TEXT NOT NULL,
            PRIMARY KEY (campaign_id, key)
        ) WITHOUT ROWID;
        INSERT INTO campaign_state_v8 SELECT (SELECT id FROM campaigns WHERE name = campaign_state.campaign), key, value FROM campaign_state;
        DROP TABLE campaign_state;
        ALTER TABLE campaign_state_v8 RENAME TO campaign_state;

        CREATE VIEW call_results AS
            SELECT calls.*, campaigns.name AS campaign, leads.external_id AS lead_external_id, leads.first_name, leads.last_name,
                   leads.state AS lead_state, leads.phone AS lead_phone, leads.email AS lead_email,
                   strftime('%Y-%m-%dT%H:%M:%fZ', calls.queued_at / 1000.0, 'unixepoch') AS queued_at_iso,
                   strftime('%Y-%m-%dT%H:%M:%fZ', calls.started_at / 1000.0, 'unixepoch') AS started_at_iso,
                   strftime('%Y-%m-%dT%H:%M:%fZ', calls.ended_at / 1000.0, 'unixepoch') AS ended_at_iso
            FROM calls LEFT JOIN leads ON leads.id = calls.lead_id LEFT JOIN campaigns ON campaigns.id = calls.campaign_id;
        CREATE VIEW lead_results AS
            SELECT k.name AS campaign, l.id AS lead_id, l.external_id, l.first_name, l.last_name, l.phone, l.email, l.state, l.status, l.owner,
                   l.tags, l.dnc,
                   (SELECT count(*) FROM calls c WHERE c.lead_id = l.id AND c.campaign_id = e.campaign_id) AS attempts,
                   lc.outcome AS last_outcome, lc.status AS last_call_status, lc.queued_at AS last_call_at,
                   strftime('%Y-%m-%dT%H:%M:%fZ', lc.queued_at / 1000.0, 'unixepoch') AS last_call_at_iso,
                   lc.sentiment AS last_sentiment, lc.summary AS last_summary,
                   (SELECT max(c.call_successful) FROM calls c WHERE c.lead_id = l.id AND c.campaign_id = e.campaign_id) AS successful,
                   (SELECT n.body FROM notes n WHERE n.lead_id = l.id ORDER BY n.id DESC LIMIT 1) AS latest_note,
                   l.created_at, strftime('%Y-%m-%dT%H:%M:%fZ', l.created_at / 1000.0, 'unixepoch') AS created_at_iso,
                   l.updated_at, strftime('%Y-%m-%dT%H:%M:%fZ', l.updated_at / 1000.0, 'unixepoch') AS updated_at_iso
            FROM (SELECT DISTINCT campaign_id, lead_id FROM workflow_runs) e JOIN leads l ON l.id = e.lead_id JOIN campaigns k ON k.id = e.campaign_id
            LEFT JOIN calls lc ON lc.call_id = (
                SELECT c.call_id FROM calls c WHERE c.lead_id = e.lead_id AND c.campaign_id = e.campaign_id ORDER BY c.attempt DESC LIMIT 1);
        CREATE VIEW campaign_leads AS
            SELECT k.name AS campaign, l.id AS lead_id, l.external_id, l.phone,
                CASE
                    WHEN l.dnc = 1 AND EXISTS (SELECT 1 FROM messages m WHERE m.lead_id = l.id AND m.opt_out IS NOT NULL) THEN 'opted_out'
                    WHEN l.dnc = 1 THEN 'dnc'
                    WHEN EXISTS (SELECT 1 FROM calls c WHERE c.lead_id = l.id AND c.campaign_id = e.campaign_id AND c.outcome = 'answered') THEN 'contacted'
                    WHEN NOT EXISTS (
                        SELECT 1 FROM workflow_runs r WHERE r.lead_id = l.id AND r.campaign_id = e.campaign_id AND r.status IN ('waiting', 'running'))
                        THEN 'done'
                    WHEN EXISTS (SELECT 1 FROM calls c WHERE c.lead_id = l.id AND c.campaign_id = e.campaign_id) THEN 'in_progress'
                    ELSE 'new'
                END AS status,
                (SELECT count(*) FROM calls c WHERE c.lead_id = l.id AND c.campaign_id = e.campaign_id) AS attempts
            FROM (SELECT DISTINCT campaign_id, lead_id FROM workflow_runs) e JOIN leads l ON l.id = e.lead_id JOIN campaigns k ON k.id = e.campaign_id;
        """

    /// A lead's status follows each campaign it is in: `new` (enrolled, not
    /// called), `in_progress`, `contacted` (a call was answered), `done` (no run
    /// waits), `dnc`, `opted_out` (it texted STOP). A view: nothing stored changes.
    static let version7 = """
        CREATE VIEW campaign_leads AS
            SELECT e.campaign, l.id AS lead_id, l.external_id, l.phone,
                CASE
                    WHEN l.dnc = 1 AND EXISTS (SELECT 1 FROM messages m WHERE m.lead_id = l.id AND m.opt_out IS NOT NULL) THEN 'opted_out'
                    WHEN l.dnc = 1 THEN 'dnc'
                    WHEN EXISTS (SELECT 1 FROM calls c WHERE c.lead_id = l.id AND c.campaign = e.campaign AND c.outcome = 'answered') THEN 'contacted'
                    WHEN NOT EXISTS (SELECT 1 FROM workflow_runs r WHERE r.lead_id = l.id AND r.campaign = e.campaign AND r.status IN ('waiting', 'running'))
                        THEN 'done'
                    WHEN EXISTS (SELECT 1 FROM calls c WHERE c.lead_id = l.id AND c.campaign = e.campaign) THEN 'in_progress'
                    ELSE 'new'
                END AS status,
                (SELECT count(*) FROM calls c WHERE c.lead_id = l.id AND c.campaign = e.campaign) AS attempts
            FROM (SELECT DISTINCT campaign, lead_id FROM workflow_runs) e JOIN leads l ON l.id = e.lead_id;
        """

    /// Named lead lists (`leads import --list NAME`); a lead may be in several.
    static let version6 = """
        CREATE TABLE lists (
            id          INTEGER PRIMARY KEY,
            name        TEXT NOT NULL UNIQUE,
            created_at  INTEGER NOT NULL
        );
        CREATE TABLE list_members (
            list_id   INTEGER NOT NULL REFERENCES lists(id),
            lead_id   INTEGER NOT NULL REFERENCES leads(id),
            added_at  INTEGER NOT NULL,
            PRIMARY KEY (list_id, lead_id)
        ) WITHOUT ROWID;
        CREATE INDEX list_members_lead ON list_members(lead_id);
        """

    /// `call_results` gains the lead's phone and email and an `_iso` text column
    /// beside each instant; `lead_results` is one row per lead and campaign, as
    /// `export results` writes it. Views only: nothing stored changes.
    static let version5Edits: [SchemaEdit] = [
        SchemaEdit(
            table: "outbox", from: "CHECK (status = 'pending' OR status = 'sent' OR status = 'failed')",
            to: "CHECK (status = 'pending' OR status = 'sending' OR status = 'sent' OR status = 'failed' OR status = 'unknown' OR status = 'handed_off')")
    ]

    static let version5 = """
        ALTER TABLE leads ADD COLUMN source TEXT;
        ALTER TABLE messages ADD COLUMN status TEXT;
        ALTER TABLE messages ADD COLUMN opt_out TEXT;
        ALTER TABLE outbox ADD COLUMN purpose TEXT;
        ALTER TABLE outbox ADD COLUMN connection TEXT;
        ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox ADD COLUMN next_attempt_at INTEGER;
        ALTER TABLE outbox ADD COLUMN provider_message_id TEXT;
        ALTER TABLE outbox ADD COLUMN error TEXT;
        ALTER TABLE outbox ADD COLUMN in_reply_to INTEGER REFERENCES messages(id);
        CREATE INDEX messages_conversation ON messages(lead_id, channel, sent_at);
        DROP VIEW call_results;
        CREATE VIEW call_results AS
            SELECT calls.*, leads.external_id AS lead_external_id, leads.first_name, leads.last_name, leads.state AS lead_state,
                   leads.phone AS lead_phone, leads.email AS lead_email,
                   strftime('%Y-%m-%dT%H:%M:%fZ', calls.queued_at / 1000.0, 'unixepoch') AS queued_at_iso,
                   strftime('%Y-%m-%dT%H:%M:%fZ', calls.started_at / 1000.0, 'unixepoch') AS started_at_iso,
                   strftime('%Y-%m-%dT%H:%M:%fZ', calls.ended_at / 1000.0, 'unixepoch') AS ended_at_iso
            FROM calls LEFT JOIN leads ON leads.id = calls.lead_id;
        CREATE VIEW lead_results AS
            SELECT e.campaign, l.id AS lead_id, l.external_id, l.first_name, l.last_name, l.phone, l.email, l.state, l.status, l.owner, l.tags, l.dnc,
                   (SELECT count(*) FROM calls c WHERE c.lead_id = l.id AND c.campaign = e.campaign) AS attempts,
                   lc.outcome AS last_outcome, lc.status AS last_call_status, lc.queued_at AS last_call_at,
                   strftime('%Y-%m-%dT%H:%M:%fZ', lc.queued_at / 1000.0, 'unixepoch') AS last_call_at_iso,
                   lc.sentiment AS last_sentiment, lc.summary AS last_summary,
                   (SELECT max(c.call_successful) FROM calls c WHERE c.lead_id = l.id AND c.campaign = e.campaign) AS successful,
                   (SELECT n.body FROM notes n WHERE n.lead_id = l.id ORDER BY n.id DESC LIMIT 1) AS latest_note,
                   l.created_at, strftime('%Y-%m-%dT%H:%M:%fZ', l.created_at / 1000.0, 'unixepoch') AS created_at_iso,
                   l.updated_at, strftime('%Y-%m-%dT%H:%M:%fZ', l.updated_at / 1000.0, 'unixepoch') AS updated_at_iso
            FROM (SELECT DISTINCT campaign, lead_id FROM workflow_runs) e JOIN leads l ON l.id = e.lead_id
            LEFT JOIN calls lc ON lc.call_id = (SELECT c.call_id FROM calls c WHERE c.lead_id = e.lead_id AND c.campaign = e.campaign ORDER BY c.attempt DESC LIMIT 1);
        """

    /// A `CHECK (x IN ('a', 'b', 'c'))` builds a temporary b-tree of the list
    /// for every row it checks (SQLite compares lists of up to two values
    /// directly): three per call row written, a sixth of a large simulated run.
    /// The same constraints as chains of `=`, which SQLite tests in place. The
    /// stored rows are unchanged, so the definitions are edited where they are.
    /// New tables write their value lists this way from the start.
    static let version3: [SchemaEdit] = [
        SchemaEdit(
            table: "calls", from: "CHECK (status IN ('queued', 'dialing', 'in_progress', 'completed', 'failed', 'unknown'))",
            to: "CHECK (status = 'queued' OR status = 'dialing' OR status = 'in_progress' OR status = 'completed' OR status = 'failed' OR status = 'unknown')"),
        SchemaEdit(
            table: "calls",
            from:
                "CHECK (outcome IS NULL OR outcome IN ('answered', 'voicemail', 'no_answer', 'busy', 'failed', 'declined', 'invalid_number', 'spam_blocked'))",
            to: """
                CHECK (outcome IS NULL OR outcome = 'answered' OR outcome = 'voicemail' OR outcome = 'no_answer' OR outcome = 'busy' \
                OR outcome = 'failed' OR outcome = 'declined' OR outcome = 'invalid_number' OR outcome = 'spam_blocked')
                """),
        SchemaEdit(
            table: "calls", from: "CHECK (sentiment IS NULL OR sentiment IN ('positive', 'neutral', 'negative', 'unknown'))",
            to: "CHECK (sentiment IS NULL OR sentiment = 'positive' OR sentiment = 'neutral' OR sentiment = 'negative' OR sentiment = 'unknown')"),
        SchemaEdit(
            table: "workflow_runs", from: "CHECK (status IN ('waiting', 'running', 'done', 'stopped', 'failed'))",
            to: "CHECK (status = 'waiting' OR status = 'running' OR status = 'done' OR status = 'stopped' OR status = 'failed')"),
        SchemaEdit(
            table: "outbox", from: "CHECK (kind IN ('sms', 'message', 'notify', 'webhook'))",
            to: "CHECK (kind = 'sms' OR kind = 'message' OR kind = 'notify' OR kind = 'webhook')"),
        SchemaEdit(
            table: "outbox", from: "CHECK (status IN ('pending', 'sent', 'failed'))",
            to: "CHECK (status = 'pending' OR status = 'sent' OR status = 'failed')"),
    ]

    /// Each call wrote five index entries and each run two that nothing needed:
    /// `calls_lead` repeats the lead prefix of the (lead_id, campaign, attempt)
    /// key; only calls still in flight are looked up by status (recovery after a
    /// stop); waiting runs are the only runs looked up by wake-up. A run's
    /// uniqueness key starts with its event, so new runs append to it.
    static let version2 = """
        DROP INDEX calls_lead;
        DROP INDEX calls_campaign_status;
        CREATE INDEX calls_in_flight ON calls(campaign) WHERE status IN ('queued', 'dialing');
        -- Caller-ID history is read by time (the last two weeks, every number at
        -- once): an index by time only grows at its end, where one by number put
        -- each call's entry at its number's place among hundreds (a page a call).
        DROP INDEX calls_from_number;
        CREATE INDEX calls_queued ON calls(queued_at);
        -- One run per workflow and event, keyed event first: event ids only grow, so
        -- each new run's key goes at the end of the index instead of at its lead's
        -- place in it (a page read and written per run). The table is rebuilt to
        -- change the key; the columns and rows are the same.
        CREATE TABLE workflow_runs_v2 (
            id           INTEGER PRIMARY KEY,
            campaign     TEXT NOT NULL,
            workflow     TEXT NOT NULL,
            lead_id      INTEGER REFERENCES leads(id),
            event_id     INTEGER REFERENCES events(id),
            status       TEXT NOT NULL DEFAULT 'waiting'
                CHECK (status IN ('waiting', 'running', 'done', 'stopped', 'failed')),
            position     TEXT NOT NULL DEFAULT '[0]',
            wake_at      INTEGER,
            context      TEXT NOT NULL DEFAULT '{}',
            error        TEXT,
            created_at   INTEGER NOT NULL,
            updated_at   INTEGER NOT NULL,
            UNIQUE (event_id, workflow, campaign, lead_id)
        );
        INSERT INTO workflow_runs_v2 SELECT * FROM workflow_runs;
        DROP TABLE workflow_runs;
        ALTER TABLE workflow_runs_v2 RENAME TO workflow_runs;
        CREATE INDEX workflow_runs_waiting ON workflow_runs(campaign, wake_at) WHERE status = 'waiting';
        """

    static let version1 = """
        CREATE TABLE zone_sets (
            id       INTEGER PRIMARY KEY,
            zones    TEXT NOT NULL,
            sources  TEXT NOT NULL,
            UNIQUE (zones, sources)
        );

        CREATE TABLE leads (
            id            INTEGER PRIMARY KEY,
            external_id   TEXT,
            phone         TEXT NOT NULL,
            first_name    TEXT,
            last_name     TEXT,
            email         TEXT,
            state         TEXT,
            zip           TEXT,
            country       TEXT,
            timezone      TEXT,
            zone_set_id   INTEGER REFERENCES zone_sets(id),
            state_source  TEXT,
            status        TEXT NOT NULL DEFAULT 'new',
            dnc           INTEGER NOT NULL DEFAULT 0,
            fields        TEXT NOT NULL DEFAULT '{}',
            tags          TEXT NOT NULL DEFAULT '[]',
            owner         TEXT,
            source_line   INTEGER,
            created_at    INTEGER NOT NULL,
            updated_at    INTEGER NOT NULL
        );
        -- A named index (not an inline UNIQUE) so a bulk import into an empty
        -- table can build it once at the end instead of row by row.
        CREATE UNIQUE INDEX leads_phone ON leads(phone);

        -- Leads with their zones spelled out, for analysts and the sqlite3 shell.
        CREATE VIEW lead_zones AS
            SELECT leads.*, zone_sets.zones AS zones, zone_sets.sources AS zone_sources
            FROM leads LEFT JOIN zone_sets ON zone_sets.id = leads.zone_set_id;

        CREATE TABLE numbers (
            id             INTEGER PRIMARY KEY,
            number         TEXT NOT NULL UNIQUE,
            label          TEXT,
            connection     TEXT,
            daily_cap      INTEGER,
            weight         INTEGER NOT NULL DEFAULT 1,
            enabled        INTEGER NOT NULL DEFAULT 1,
            state          TEXT,
            latitude       REAL,
            longitude      REAL,
            resting_until  INTEGER,
            resting_reason TEXT,
            created_at     INTEGER NOT NULL,
            updated_at     INTEGER NOT NULL
        );

        CREATE TABLE dnc (
            pattern     TEXT PRIMARY KEY,
            kind        TEXT NOT NULL CHECK (kind IN ('number', 'area_code')),
            source      TEXT,
            added_at    INTEGER NOT NULL
        ) WITHOUT ROWID;

        CREATE TABLE campaigns (
            id          INTEGER PRIMARY KEY,
            name        TEXT NOT NULL UNIQUE,
            file        TEXT,
            created_at  INTEGER NOT NULL
        );

        CREATE TABLE campaign_state (
            campaign  TEXT NOT NULL,
            key       TEXT NOT NULL,
            value     TEXT NOT NULL,
            PRIMARY KEY (campaign, key)
        ) WITHOUT ROWID;

        CREATE TABLE calls (
            call_id                    INTEGER PRIMARY KEY,
            provider                   TEXT NOT NULL,
            provider_call_id           TEXT,
            connection                 TEXT,
            agent_id                   TEXT,
            lead_id                    INTEGER REFERENCES leads(id),
            campaign                   TEXT,
            workflow_run_id            INTEGER,
            attempt                    INTEGER NOT NULL DEFAULT 1,
            direction                  TEXT NOT NULL DEFAULT 'outbound',
            from_number                TEXT,
            to_number                  TEXT NOT NULL,
            status                     TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'dialing', 'in_progress', 'completed', 'failed', 'unknown')),
            outcome                    TEXT
                CHECK (outcome IS NULL OR outcome IN ('answered', 'voicemail', 'no_answer', 'busy', 'failed', 'declined', 'invalid_number', 'spam_blocked')),
            disconnection_reason       TEXT,
            queued_at                  INTEGER NOT NULL,
            started_at                 INTEGER,
            ended_at                   INTEGER,
            duration_ms                INTEGER,
            transcript                 TEXT,
            transcript_json            TEXT,
            recording_url              TEXT,
            recording_multichannel_url TEXT,
            public_log_url             TEXT,
            summary                    TEXT,
            sentiment                  TEXT CHECK (sentiment IS NULL OR sentiment IN ('positive', 'neutral', 'negative', 'unknown')),
            call_successful            INTEGER,
            in_voicemail               INTEGER,
            user_spoke                 INTEGER,
            custom_analysis            TEXT,
            dynamic_variables          TEXT,
            collected_variables        TEXT,
            transfer_to                TEXT,
            cost_cents                 INTEGER,
            latency_json               TEXT,
            error_message              TEXT,
            lead_timezone              TEXT,
            selection_tier             TEXT,
            raw                        TEXT,
            UNIQUE (lead_id, campaign, attempt)
        );
        CREATE UNIQUE INDEX calls_provider_call_id ON calls(provider, provider_call_id) WHERE provider_call_id IS NOT NULL;
        CREATE INDEX calls_from_number ON calls(from_number, queued_at);
        CREATE INDEX calls_lead ON calls(lead_id, queued_at);
        CREATE INDEX calls_campaign_status ON calls(campaign, status);

        -- Calls with their lead, for analysts and the sqlite3 shell.
        CREATE VIEW call_results AS
            SELECT calls.*, leads.external_id AS lead_external_id, leads.first_name, leads.last_name, leads.state AS lead_state
            FROM calls LEFT JOIN leads ON leads.id = calls.lead_id;

        CREATE TABLE events (
            id           INTEGER PRIMARY KEY,
            kind         TEXT NOT NULL,
            dedupe_key   TEXT NOT NULL UNIQUE,
            call_id      INTEGER REFERENCES calls(call_id),
            lead_id      INTEGER REFERENCES leads(id),
            payload      TEXT NOT NULL DEFAULT '{}',
            occurred_at  INTEGER NOT NULL,
            received_at  INTEGER NOT NULL
        );

        CREATE TABLE workflow_runs (
            id           INTEGER PRIMARY KEY,
            campaign     TEXT NOT NULL,
            workflow     TEXT NOT NULL,
            lead_id      INTEGER REFERENCES leads(id),
            event_id     INTEGER REFERENCES events(id),
            status       TEXT NOT NULL DEFAULT 'waiting'
                CHECK (status IN ('waiting', 'running', 'done', 'stopped', 'failed')),
            position     TEXT NOT NULL DEFAULT '[0]',
            wake_at      INTEGER,
            context      TEXT NOT NULL DEFAULT '{}',
            error        TEXT,
            created_at   INTEGER NOT NULL,
            updated_at   INTEGER NOT NULL,
            UNIQUE (campaign, workflow, lead_id, event_id)
        );
        CREATE INDEX workflow_runs_due ON workflow_runs(campaign, status, wake_at);

        CREATE TABLE notes (
            id          INTEGER PRIMARY KEY,
            lead_id     INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
            call_id     INTEGER REFERENCES calls(call_id),
            body        TEXT NOT NULL,
            created_at  INTEGER NOT NULL
        );
        CREATE INDEX notes_lead ON notes(lead_id);

        CREATE TABLE tasks (
            id          INTEGER PRIMARY KEY,
            lead_id     INTEGER REFERENCES leads(id) ON DELETE CASCADE,
            title       TEXT NOT NULL,
            due_at      INTEGER,
            assignee    TEXT,
            status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'done')),
            created_at  INTEGER NOT NULL
        );
        CREATE INDEX tasks_lead ON tasks(lead_id);

        CREATE TABLE opportunities (
            id           INTEGER PRIMARY KEY,
            lead_id      INTEGER NOT NULL REFERENCES leads(id) ON DELETE CASCADE,
            pipeline     TEXT NOT NULL,
            stage        TEXT NOT NULL,
            name         TEXT,
            value_cents  INTEGER,
            created_at   INTEGER NOT NULL,
            updated_at   INTEGER NOT NULL,
            UNIQUE (lead_id, pipeline)
        );

        CREATE TABLE messages (
            id           INTEGER PRIMARY KEY,
            lead_id      INTEGER REFERENCES leads(id) ON DELETE CASCADE,
            direction    TEXT NOT NULL CHECK (direction IN ('inbound', 'outbound')),
            channel      TEXT NOT NULL,
            from_addr    TEXT NOT NULL,
            to_addr      TEXT,
            body         TEXT NOT NULL,
            external_id  TEXT UNIQUE,
            sent_at      INTEGER NOT NULL
        );
        CREATE INDEX messages_lead ON messages(lead_id, sent_at);

        CREATE TABLE outbox (
            id           INTEGER PRIMARY KEY,
            kind         TEXT NOT NULL CHECK (kind IN ('sms', 'message', 'notify', 'webhook')),
            lead_id      INTEGER REFERENCES leads(id) ON DELETE CASCADE,
            channel      TEXT,
            destination  TEXT,
            body         TEXT NOT NULL,
            status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
            created_at   INTEGER NOT NULL,
            sent_at      INTEGER
        );
        CREATE INDEX outbox_pending ON outbox(status, created_at);
        """
}
