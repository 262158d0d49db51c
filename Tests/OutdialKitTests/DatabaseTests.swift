import Foundation
import TestSupport
import Testing

@testable import OutdialKit

@Suite struct DatabaseTests {
    @Test func opensInWALWithForeignKeys() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        #expect(try db.text("PRAGMA journal_mode") == "wal")
        #expect(try db.scalar("PRAGMA foreign_keys") == 1)
    }

    @Test func transactionCommitsWhenTheBodyReturns() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try db.execute("CREATE TABLE t (x INTEGER)")
        try db.transaction { try db.run("INSERT INTO t VALUES (?)", [1]) }
        #expect(try db.scalar("SELECT count(*) FROM t") == 1)
    }

    @Test func transactionRollsBackWhenTheBodyThrows() throws {
        struct Boom: Error {}
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try db.execute("CREATE TABLE t (x INTEGER)")
        #expect(throws: Boom.self) {
            try db.transaction {
                try db.run("INSERT INTO t VALUES (?)", [1])
                throw Boom()
            }
        }
        #expect(try db.scalar("SELECT count(*) FROM t") == 0)
        #expect(!db.isInTransaction)
    }

    @Test func nestedTransactionRollsBackOnlyItsOwnWork() throws {
        struct Boom: Error {}
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try db.execute("CREATE TABLE t (x INTEGER)")
        try db.transaction {
            try db.run("INSERT INTO t VALUES (1)")
            try? db.transaction {
                try db.run("INSERT INTO t VALUES (2)")
                throw Boom()
            }
        }
        #expect(try db.query("SELECT x FROM t") { $0.int64(0) } == [1])
    }

    @Test func errorsCarryTheCodeTheMessageAndTheSQL() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try db.execute("CREATE TABLE t (x INTEGER UNIQUE)")
        try db.run("INSERT INTO t VALUES (?)", [1])
        let error = try #require(throws: StoreError.self) { try db.run("INSERT INTO t VALUES (?)", [1]) }
        #expect(error.isConstraint)
        #expect(error.sql == "INSERT INTO t VALUES (?)")
        #expect(error.message.contains("UNIQUE constraint failed: t.x"))
        #expect(error.description.contains("SQLITE_CONSTRAINT"))
        #expect(error.description.contains("while running: INSERT INTO t VALUES (?)"))
        let syntax = try #require(throws: StoreError.self) { try db.prepare("SELEC 1") }
        #expect(syntax.sql == "SELEC 1")
    }

    @Test func preparedStatementsAreCachedBySQL() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        let a = try db.prepare("SELECT 1")
        let b = try db.prepare("SELECT 1")
        #expect(a === b)
    }

    @Test func aWriterWaitsOutTheBusyTimeoutThenFailsAsBusy() throws {
        let dir = try TemporaryDirectory()
        let holder = try Database(path: dir.path("a.db"))
        try holder.execute("CREATE TABLE t (x INTEGER)")
        let waiter = try Database(path: dir.path("a.db"), busyTimeout: 50)
        try holder.execute("BEGIN IMMEDIATE")
        let error = try #require(throws: StoreError.self) {
            try waiter.transaction { try waiter.run("INSERT INTO t VALUES (1)") }
        }
        #expect(error.isBusy)
        try holder.execute("COMMIT")
        try waiter.transaction { try waiter.run("INSERT INTO t VALUES (1)") }
        #expect(try holder.scalar("SELECT count(*) FROM t") == 1)
    }

    @Test func readersSeeCommittedDataWhileAWriterHoldsTheLock() throws {
        let dir = try TemporaryDirectory()
        let writer = try Database(path: dir.path("a.db"))
        try writer.execute("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")
        let reader = try Database(path: dir.path("a.db"), busyTimeout: 50)
        try writer.execute("BEGIN IMMEDIATE; INSERT INTO t VALUES (2);")
        #expect(try reader.scalar("SELECT count(*) FROM t") == 1)
        try writer.execute("COMMIT")
        #expect(try reader.scalar("SELECT count(*) FROM t") == 2)
    }

    @Test func textBindingRoundTripsUnicodeAndNulls() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try db.execute("CREATE TABLE t (a TEXT, b TEXT)")
        try db.run("INSERT INTO t VALUES (?, ?)", ["Zoë «Ω» 📞", nil])
        let rows = try db.query("SELECT a, b FROM t") { ($0.string(0), $0.string(1)) }
        #expect(rows.first?.0 == "Zoë «Ω» 📞")
        #expect(rows.first?.1 == nil)
    }
}

@Suite struct MigratorTests {
    private let steps = [
        Migration(version: 1, summary: "one", sql: "CREATE TABLE a (x INTEGER);"),
        Migration(version: 2, summary: "two", sql: "ALTER TABLE a ADD COLUMN y TEXT;"),
    ]

    @Test func createsAFreshDatabaseAtTheLatestVersion() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        let report = try Migrator().migrate(db)
        #expect(report.created)
        #expect(report.to == Schema.migrations.count)
        #expect(try db.userVersion == Schema.migrations.count)
        for table in ["leads", "numbers", "dnc", "calls", "events", "workflow_runs", "notes", "zone_sets", "tasks", "opportunities", "messages", "outbox"] {
            #expect(try db.scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", [.text(table)]) == 1, "\(table)")
        }
    }

    @Test func migratingTwiceChangesNothing() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try Migrator().migrate(db)
        let again = try Migrator().migrate(db)
        #expect(again.applied.isEmpty)
        #expect(again.from == again.to)
    }

    @Test func migratesAnOlderDatabaseForwardKeepingItsRows() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try Migrator(migrations: steps).migrate(db, upTo: 1)
        try db.run("INSERT INTO a (x) VALUES (42)")
        let report = try Migrator(migrations: steps).migrate(db)
        #expect(report.from == 1 && report.to == 2 && report.applied == ["two"])
        #expect(try db.scalar("SELECT x FROM a WHERE y IS NULL") == 42)
    }

    /// Version 2 rebuilds workflow_runs with its key event first: a version-1
    /// file keeps its runs and calls, and the key still refuses a second run per event.
    @Test func schemaVersion2KeepsRunsAndTheirKey() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try Migrator().migrate(db, upTo: 1)
        try db.execute(
            """
            INSERT INTO leads (id, phone, created_at, updated_at) VALUES (1, '+14155550123', 0, 0);
            INSERT INTO events (id, kind, dedupe_key, lead_id, occurred_at, received_at) VALUES (7, 'lead_added', 'lead_added:c:1', 1, 0, 0);
            INSERT INTO workflow_runs (campaign, workflow, lead_id, event_id, status, wake_at, created_at, updated_at)
                VALUES ('c', 'outbound', 1, 7, 'waiting', 1000, 0, 0), ('c', 'retry', 1, NULL, 'done', NULL, 0, 0);
            INSERT INTO calls (provider, lead_id, campaign, to_number, status, queued_at) VALUES ('simulated', 1, 'c', '+14155550123', 'dialing', 5);
            """)
        let report = try Migrator().migrate(db)
        #expect(report.from == 1 && report.to == Schema.migrations.count)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs") == 2)
        #expect(try db.scalar("SELECT wake_at FROM workflow_runs WHERE workflow = 'outbound' AND status = 'waiting' AND event_id = 7") == 1000)
        #expect(try db.scalar("SELECT count(*) FROM calls WHERE status IN ('queued', 'dialing')") == 1)
        #expect(throws: StoreError.self) {
            try db.execute(
                "INSERT INTO workflow_runs (campaign_id, workflow, lead_id, event_id, created_at, updated_at) VALUES ((SELECT id FROM campaigns WHERE name = 'c'), 'outbound', 1, 7, 0, 0)"
            )
        }
        #expect(try db.text("PRAGMA integrity_check") == "ok")
        #expect(try db.scalar("SELECT count(*) FROM pragma_foreign_key_check") == 0)
    }

    /// The writes version 3 makes cheap: not one builds a temporary b-tree.
    private static let checkedWrites = [
        "INSERT INTO calls (provider, to_number, status, outcome, sentiment, queued_at) VALUES ('simulated', '+14155550123', ?, ?, ?, 0)",
        "UPDATE calls SET status = ?, outcome = ?, sentiment = ? WHERE call_id = ?",
        "INSERT INTO workflow_runs (campaign, workflow, status, created_at, updated_at) VALUES ('c', 'w', ?, 0, 0)",
        "UPDATE workflow_runs SET status = ? WHERE id = ?",
        "INSERT INTO outbox (kind, body, status, created_at) VALUES (?, 'hi', ?, 0)",
    ]

    /// Prepared afresh (a cached EXPLAIN would list the program it was first given).
    private func temporaryBTrees(_ db: Database, _ sql: String) throws -> Int {
        let explain = try Statement(database: db, sql: "EXPLAIN " + sql)
        var count = 0
        while try explain.step() { count += explain.string(1) == "OpenEphemeral" ? 1 : 0 }
        return count
    }

    /// Version 3 rewrites the value-list CHECKs as chains of `=` in place: rows
    /// are kept, the same values are allowed and refused, no write builds a
    /// temporary b-tree, and a connection opened before sees the new definitions.
    @Test func schemaVersion3ChecksTheSameValuesWithoutTemporaryBTrees() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try Migrator().migrate(db, upTo: 2)
        let other = try Database(path: dir.path("a.db"))
        for sql in Self.checkedWrites { #expect(try temporaryBTrees(other, sql) > 0, "version 2: \(sql)") }
        try db.execute(
            """
            INSERT INTO calls (provider, to_number, status, outcome, sentiment, queued_at) VALUES ('simulated', '+14155550123', 'completed', 'busy', NULL, 5);
            INSERT INTO workflow_runs (campaign, workflow, status, created_at, updated_at) VALUES ('c', 'w', 'stopped', 0, 0);
            INSERT INTO outbox (kind, body, status, created_at) VALUES ('notify', 'hi', 'sent', 0);
            """)
        let report = try Migrator().migrate(db, upTo: 3)
        #expect(report.from == 2 && report.to == 3)
        #expect(try db.text("SELECT status || outcome FROM calls") == "completedbusy")
        #expect(try db.text("SELECT status FROM workflow_runs") == "stopped")
        #expect(try db.text("SELECT kind || status FROM outbox") == "notifysent")
        // The other connection reads the schema again at its next statement
        // because the migration moved the schema cookie on.
        #expect(try other.scalar("SELECT count(*) FROM outbox") == 1)
        for connection in [db, other] {
            for sql in Self.checkedWrites { #expect(try temporaryBTrees(connection, sql) == 0, "\(sql)") }
        }
        for status in ["queued", "dialing", "in_progress", "completed", "failed", "unknown"] {
            try db.run(Self.checkedWrites[0], [.text(status), nil, nil])
        }
        for outcome in ["answered", "voicemail", "no_answer", "busy", "failed", "declined", "invalid_number", "spam_blocked"] {
            try db.run(Self.checkedWrites[0], ["completed", .text(outcome), nil])
        }
        for sentiment in ["positive", "neutral", "negative", "unknown"] { try db.run(Self.checkedWrites[0], ["completed", "answered", .text(sentiment)]) }
        for status in ["waiting", "running", "done", "stopped", "failed"] { try db.run(Self.checkedWrites[2], [.text(status)]) }
        for kind in ["sms", "message", "notify", "webhook"] {
            for status in ["pending", "sent", "failed"] { try db.run(Self.checkedWrites[4], [.text(kind), .text(status)]) }
        }
        let refused: [(String, [SQLValue])] = [
            (Self.checkedWrites[0], ["done", nil, nil]), (Self.checkedWrites[0], ["completed", "maybe", nil]),
            (Self.checkedWrites[0], ["completed", "answered", "happy"]), (Self.checkedWrites[1], ["Completed", nil, nil, 1]),
            (Self.checkedWrites[2], ["sleeping"]), (Self.checkedWrites[3], ["", 1]), (Self.checkedWrites[4], ["fax", "sent"]),
            (Self.checkedWrites[4], ["sms", "queued"]),
        ]
        for (sql, values) in refused {
            #expect(throws: StoreError.self, "\(values) in \(sql)") { try db.run(sql, values) }
            #expect(throws: StoreError.self, "\(values) in \(sql), other connection") { try other.run(sql, values) }
        }
        #expect(try db.text("PRAGMA integrity_check") == "ok")
    }

    /// A table changed by hand is not edited blindly: the migration stops and
    /// the file stays at its version.
    @Test func schemaVersion3RefusesATableChangedByHand() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try Migrator().migrate(db, upTo: 2)
        try db.execute("DROP TABLE outbox; CREATE TABLE outbox (id INTEGER PRIMARY KEY, kind TEXT CHECK (kind IN ('sms', 'fax', 'pager')))")
        #expect(throws: MigrationError.unexpectedDefinition(path: dir.path("a.db"), version: 3, table: "outbox")) { try Migrator().migrate(db) }
        #expect(try db.userVersion == 2)
        #expect(try db.scalar("SELECT count(*) FROM sqlite_schema WHERE sql LIKE '%status = ''queued'' OR%'") == 0, "the calls edit was rolled back")
        #expect(try db.scalar("PRAGMA writable_schema") == 0)
    }

    /// Version 8 keeps each campaign's name once, in `campaigns`: the rows of
    /// a version-7 file keep their campaign (by id), names no row of
    /// `campaigns` had get one, enrolment keys move to the id, even where a
    /// campaign named "1" had the key the campaign with id 1 now gets.
    @Test func schemaVersion8RefersToCampaignsByID() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try Migrator().migrate(db, upTo: 7)
        try db.execute(
            """
            INSERT INTO leads (id, phone, created_at, updated_at) VALUES (1, '+14155550123', 0, 0), (2, '+14155550124', 0, 0);
            INSERT INTO campaigns (id, name, file, created_at) VALUES (1, 'spring', 's.yml', 0), (2, '1', 'one.yml', 0);
            INSERT INTO events (id, kind, dedupe_key, lead_id, occurred_at, received_at) VALUES
                (10, 'lead_added', 'lead_added:spring:1', 1, 0, 0), (11, 'lead_added', 'lead_added:1:1', 1, 0, 0),
                (12, 'lead_added', 'lead_added:legacy:2', 2, 0, 0);
            INSERT INTO workflow_runs (campaign, workflow, lead_id, event_id, status, wake_at, created_at, updated_at) VALUES
                ('spring', 'outbound', 1, 10, 'waiting', 1000, 0, 0), ('1', 'outbound', 1, 11, 'done', NULL, 0, 0),
                ('legacy', 'outbound', 2, 12, 'waiting', 2000, 0, 0);
            INSERT INTO calls (provider, lead_id, campaign, to_number, status, queued_at) VALUES
                ('simulated', 1, 'spring', '+14155550123', 'completed', 5), ('simulated', 1, '1', '+14155550123', 'completed', 6),
                ('simulated', 2, 'legacy', '+14155550124', 'dialing', 7), ('retell', NULL, NULL, '+14155550125', 'completed', 8);
            INSERT INTO campaign_state (campaign, key, value) VALUES ('spring', 'clock', '100'), ('legacy', 'pacing', '{}');
            """)
        let report = try Migrator().migrate(db)
        #expect(report.from == 7 && report.to == Schema.migrations.count)
        #expect(try db.query("SELECT name FROM campaigns ORDER BY id") { $0.string(0) } == ["spring", "1", "legacy"])
        for table in ["calls", "workflow_runs", "campaign_state"] {
            #expect(try db.scalar("SELECT count(*) FROM pragma_table_info(?) WHERE name = 'campaign'", [.text(table)]) == 0, "\(table)")
        }
        #expect(try db.query("SELECT campaign FROM call_results ORDER BY call_id") { $0.string(0) } == ["spring", "1", "legacy", nil])
        #expect(
            try db.query("SELECT dedupe_key FROM events ORDER BY id") { $0.string(0) ?? "" } == ["lead_added:1:1", "lead_added:2:1", "lead_added:3:2"])
        #expect(
            try db.query("SELECT campaign, status FROM campaign_leads ORDER BY campaign") { "\($0.string(0) ?? "")=\($0.string(1) ?? "")" } == [
                "1=done", "legacy=in_progress", "spring=in_progress",
            ])
        let spring = RunStore(database: db, campaign: "spring")
        #expect(try spring.state("clock") == "100")
        #expect(try spring.waitingCount() == 1)
        #expect(try CallStore(database: db).lastQueuedAt(campaign: "legacy") == 7)
        // Enrolling again finds lead 1's converted key: only lead 2 is new to the campaign.
        #expect(try spring.enrol(workflows: ["outbound"], file: "s.yml", audience: nil, at: 9) == 1)
        #expect(try db.scalar("SELECT count(*) FROM workflow_runs WHERE campaign_id = 1") == 2)
        #expect(try db.text("PRAGMA integrity_check") == "ok")
        #expect(try db.scalar("SELECT count(*) FROM pragma_foreign_key_check") == 0)
        #expect(try db.scalar("PRAGMA foreign_keys") == 1)
    }

    /// Version 9 adds where a lead's phone came from: a version-8 lead keeps
    /// its row with no source (its phone was the phone column), and the view
    /// `leads show` reads sees the new column.
    @Test func schemaVersion9AddsThePhonesSourceColumn() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try Migrator().migrate(db, upTo: 8)
        try db.execute("INSERT INTO leads (id, phone, created_at, updated_at) VALUES (1, '+14155550123', 0, 0)")
        let report = try Migrator().migrate(db, upTo: 9)
        #expect(report.from == 8 && report.to == 9)
        #expect(try LeadStore(database: db).find(id: 1).map { $0.phone == "+14155550123" && $0.phoneSource == nil } == true)
        try db.run("UPDATE leads SET phone_source = 'Mobile' WHERE id = 1")
        #expect(try db.text("SELECT phone_source FROM lead_zones WHERE id = 1") == "Mobile")
    }

    /// Version 10 lets a lead have no phone (a contact who wrote by email or
    /// a handle), by editing the table's text: every row stays, the phone
    /// index still refuses a second lead with the same phone.
    @Test func schemaVersion10LetsALeadHaveNoPhone() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try Migrator().migrate(db, upTo: 9)
        try db.execute("INSERT INTO leads (id, phone, created_at, updated_at) VALUES (1, '+14155550123', 0, 0)")
        #expect(throws: StoreError.self) { try db.execute("INSERT INTO leads (email, created_at, updated_at) VALUES ('a@example.com', 0, 0)") }
        let report = try Migrator().migrate(db)
        #expect(report.from == 9 && report.to == 10)
        try db.execute("INSERT INTO leads (email, created_at, updated_at) VALUES ('a@example.com', 0, 0), ('b@example.com', 0, 0)")
        #expect(try db.scalar("SELECT count(*) FROM leads WHERE phone IS NULL") == 2)
        #expect(try db.text("SELECT phone FROM leads WHERE id = 1") == "+14155550123")
        #expect(throws: StoreError.self) { try db.execute("INSERT INTO leads (phone, created_at, updated_at) VALUES ('+14155550123', 0, 0)") }
        #expect(try db.text("PRAGMA integrity_check") == "ok")
    }

    /// A rebuild that would leave a row pointing nowhere is refused whole.
    @Test func aRebuildThatBreaksAForeignKeyIsRolledBack() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        let parentless =
            steps + [
                Migration(
                    version: 3, summary: "rebuild",
                    sql: "CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE k (p INTEGER REFERENCES p(id)); INSERT INTO k VALUES (5);",
                    rebuildsTables: ["k"])
            ]
        #expect(throws: MigrationError.foreignKeyViolation(path: dir.path("a.db"), version: 3, table: "k", rowID: 1, parent: "p")) {
            try Migrator(migrations: parentless).migrate(db)
        }
        #expect(try db.userVersion == 2)
        #expect(try db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'k'") == 0)
        #expect(try db.scalar("PRAGMA foreign_keys") == 1)
    }

    @Test func aFailingMigrationLeavesTheVersionAndTablesAsTheyWere() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        let broken = steps + [Migration(version: 3, summary: "bad", sql: "CREATE TABLE b (x); CREATE TABLE a (x);")]
        #expect(throws: StoreError.self) { try Migrator(migrations: broken).migrate(db) }
        #expect(try db.userVersion == 2)
        #expect(try db.scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'b'") == 0)
    }

    @Test func refusesADatabaseFromANewerVersion() throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path("a.db"))
        try db.execute("PRAGMA user_version = 99")
        #expect(throws: MigrationError.newerDatabase(path: dir.path("a.db"), found: 99, supported: steps.count)) {
            try Migrator(migrations: steps).migrate(db)
        }
    }
}

@Suite struct JSONValueTests {
    @Test func escapesAndKeepsKeyOrder() {
        let value = JSONObject(["b": .string("a\"b\\c\n\u{01}"), "a": .array([.int(1), .null, .bool(true)])])
        #expect(value.rendered == #"{"b":"a\"b\\c\n\u0001","a":[1,null,true]}"#)
    }
}

@Suite struct FilePathTests {
    @Test(arguments: [("x.db", ".", "x.db"), ("a/b.db", "a", "b.db"), ("/x.db", "/", "x.db"), ("/a/b/c.db", "/a/b", "c.db")])
    func aPathSplitsIntoItsFolderAndName(path: String, folder: String, name: String) {
        #expect(FilePath.folder(of: path) == folder)
        #expect(FilePath.name(of: path) == name)
    }
}

@Suite struct CheckpointerTests {
    /// A connection checkpointing in the background, after `rows` rows of about
    /// one 8 KiB page each, one transaction per row.
    func writer(in dir: TemporaryDirectory, pages: Int32, limit: Int32, rows: Int) throws -> (Database, Checkpointer) {
        let db = try Database(path: dir.path("a.db"))
        try db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)")
        try db.checkpointInBackground(pages: pages, limit: limit)
        for i in 0..<rows {
            try db.transaction { try db.run("INSERT INTO t VALUES (?, ?)", [.integer(Int64(i)), .text(String(repeating: "x", count: 8000))]) }
        }
        return (db, try #require(db.background))
    }

    @Test func theThreadCopiesTheLogBackAndTheCommitsDoNot() throws {
        let dir = try TemporaryDirectory()
        let (db, checkpointer) = try writer(in: dir, pages: 10, limit: 1_000_000, rows: 40)
        #expect(checkpointer.waitForBackground(1, timeout: 30))
        #expect(checkpointer.checkpoints.writer == 0)
        // The rows reached the database file itself: before the first checkpoint it held
        // only its first page (SQLite's own checkpoint is off: the hook replaced it).
        let file = try #require(try FileManager.default.attributesOfItem(atPath: db.path)[.size] as? Int)
        #expect(file >= 10 * 8192)
        #expect(try db.scalar("SELECT count(*) FROM t WHERE length(body) = 8000") == 40)
    }

    @Test func aWriterThatOutrunsTheThreadKeepsTheLogBounded() throws {
        let dir = try TemporaryDirectory()
        // The thread is never asked (pages above the limit): only the writer's own checkpoints bound the log.
        let (db, checkpointer) = try writer(in: dir, pages: 1_000_000, limit: 20, rows: 200)
        #expect(checkpointer.checkpoints.writer > 0)
        #expect(checkpointer.checkpoints.background == 0)
        let wal = try #require(try FileManager.default.attributesOfItem(atPath: db.path + "-wal")[.size] as? Int)
        // Without the limit, 200 rows leave about 600 frames (4.9 MB); 8,192-byte pages plus a 24-byte frame header.
        #expect(wal <= (20 + 8) * (8192 + 24) + 32)
        #expect(try db.scalar("SELECT count(*) FROM t") == 200)
    }

    @Test func closingTheConnectionEndsTheThread() throws {
        let dir = try TemporaryDirectory()
        var (db, checkpointer): (Database?, Checkpointer) = try writer(in: dir, pages: 2, limit: 1_000_000, rows: 10)
        #expect(!checkpointer.hasStopped)
        #expect(try db?.scalar("SELECT count(*) FROM t") == 10)
        db = nil
        #expect(checkpointer.hasStopped)
        let again = try Database(path: dir.path("a.db"))
        #expect(try again.scalar("SELECT count(*) FROM t") == 10)
    }
}
