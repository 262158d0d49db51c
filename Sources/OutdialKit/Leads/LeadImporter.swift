import Foundation

/// What to do with a row whose phone is already in the database.
public enum DuplicatePolicy: String, Sendable, CaseIterable {
    /// Count it and leave the stored lead as it is.
    case skip
    /// Replace the stored lead's fields with the row's.
    case update
}

/// How to read a lead file.
public struct LeadImportOptions: Sendable {
    /// Region for national-format numbers (`US`).
    public var region = "US"
    /// The separator; nil detects it from the header line.
    public var delimiter: UInt8?
    /// The file is Latin-1, not UTF-8.
    public var latin1 = false
    /// `--map COLUMN=field` overrides.
    public var mappings: [String: LeadField] = [:]
    public var onDuplicate = DuplicatePolicy.skip
    /// Where rejected rows go; nil puts them next to the input.
    public var rejectsPath: String?
    /// Where rows kept with a warning are listed; nil puts them beside the rejects file.
    public var warningsPath: String?
    /// A list to put every lead of the file in (`--list NAME`), created when new.
    public var list: String?

    public init() {}
}

/// What an import did (`leads import --json`, SPEC §3.1).
public struct LeadImportSummary: Equatable, Sendable {
    public var rows = 0
    public var imported = 0
    public var updated = 0
    public var duplicates = 0
    public var rejected = 0
    public var dnc = 0
    public var rejectsFile: String?
    /// Rows whose extension was dropped, and rows repaired from spreadsheet damage.
    public var extensionsDropped = 0
    public var repaired = 0
    /// Rows whose timezone was not understood: kept, gated on their phone's and address's zones.
    public var timezonesNotUnderstood = 0
    /// Rows whose timezone agrees with neither their phone nor their address
    /// (gated on all of them: a CRM default such as `UTC` cannot widen the window).
    public var zoneConflicts = 0
    /// Rows whose ZIP or postal code was not understood (gated without it).
    public var zipsNotUnderstood = 0
    /// Rows kept with a warning, and the first of those warnings with their line numbers (at most 10).
    public var warningCount = 0
    public var warnings: [(line: Int, text: String)] = []
    /// Where every warning is, with its row (`line,warning,row`), when there was one.
    public var warningsFile: String?
    /// With `--list`: the list, the leads the import added to it, and its size after.
    public var list: String?
    public var listed = 0
    public var listSize = 0
    /// The most common reasons rows were rejected, most frequent first.
    public var reasons: [(String, Int)] = []

    public static func == (a: Self, b: Self) -> Bool {
        a.rows == b.rows && a.imported == b.imported && a.updated == b.updated && a.duplicates == b.duplicates && a.rejected == b.rejected
            && a.dnc == b.dnc && a.rejectsFile == b.rejectsFile
    }
}

/// Streams a lead CSV into the database in one transaction: normalises every
/// phone, resolves zones and state (SPEC §4.1), drops duplicates, marks DNC
/// numbers and writes rejected rows to a rejects file.
///
/// Two threads share the work: one parses and normalises rows into batches
/// (`LeadRowParser`), this one writes them to SQLite, so the import takes as
/// long as the slower of the two rather than their sum.
public final class LeadImporter {
    let database: Database
    let plan: NumberingPlan

    public init(database: Database, plan: NumberingPlan = .shared) {
        self.database = database
        self.plan = plan
    }

    static let insertSQL = """
        INSERT INTO leads (external_id, phone, first_name, last_name, email, state, zip, country, timezone,
            state_source, fields, tags, zone_set_id, dnc, source_line, created_at, updated_at, phone_source)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16, ?17)
        """
    /// A re-import (`--on-duplicate update`) takes the file's values, but keeps
    /// what the campaign added: tags are the union of the lead's and the row's,
    /// and custom fields the row names are set while the others stay.
    static let updateSQL = """
        UPDATE leads SET external_id = ?1, first_name = ?3, last_name = ?4, email = ?5, state = ?6, zip = ?7,
            country = ?8, timezone = ?9, state_source = ?10, fields = \(mergedFields), tags = \(mergedTags), zone_set_id = ?13, dnc = ?14,
            source_line = ?15, updated_at = ?16, phone_source = ?17
        WHERE phone = ?2 AND (external_id IS NOT ?1 OR first_name IS NOT ?3 OR last_name IS NOT ?4 OR email IS NOT ?5
            OR state IS NOT ?6 OR zip IS NOT ?7 OR country IS NOT ?8 OR timezone IS NOT ?9 OR fields IS NOT \(mergedFields)
            OR tags IS NOT \(mergedTags) OR zone_set_id IS NOT ?13 OR dnc IS NOT ?14 OR phone_source IS NOT ?17)
        """
    static let mergedTags = """
        (SELECT json_group_array(value) FROM (SELECT value FROM json_each(leads.tags) UNION SELECT value FROM json_each(?12) ORDER BY value))
        """
    static let mergedFields = "json_patch(coalesce(leads.fields, '{}'), coalesce(?11, '{}'))"
    static let existingSQL = "SELECT phone FROM leads"
    static let dropPhoneIndexSQL = "DROP INDEX leads_phone"
    static let createPhoneIndexSQL = "CREATE UNIQUE INDEX leads_phone ON leads(phone)"

    /// Imports a file. `progress` is called with bytes read, now and then.
    public func run(path: String, options: LeadImportOptions, now: Instant = .now, progress: (Int) -> Void = { _ in }) throws -> LeadImportSummary {
        guard let normalizer = PhoneNormalizer(region: options.region, plan: plan) else {
            throw LeadImportError.unknownRegion(options.region)
        }
        // The rejects file may replace an earlier import's, never the database or the input.
        let rejectsPath = options.rejectsPath ?? Self.defaultRejectsPath(for: path)
        let protected = OutputFile.Protected.database(database.path) + [OutputFile.Protected(path, what: "the file being imported")].compactMap { $0 }
        let rejects = RejectsWriter(file: try OutputFile(path: rejectsPath, protecting: protected, replacing: true))
        let warningsPath = options.warningsPath ?? Self.warningsPath(besideRejects: rejectsPath)
        let warnings = RejectsWriter(
            file: try OutputFile(
                path: warningsPath, protecting: protected + [OutputFile.Protected(rejectsPath, what: "the rejects file")].compactMap { $0 }, replacing: true),
            header: "line,warning,row")
        let reader = try CSVReader(path: path, delimiter: options.delimiter, latin1: options.latin1)

        // A bulk load into a rollback journal writes each page once; in WAL it
        // would be written twice. The journal still makes a kill -9 leave the
        // database as it was. Other connections keep it in WAL: then so be it.
        let switched = (try? database.text("PRAGMA journal_mode = DELETE")) == "delete"
        defer { if switched { _ = try? database.text("PRAGMA journal_mode = WAL") } }

        var summary = try database.transaction { () throws -> LeadImportSummary in
            let dnc = try DoNotCallStore(database: database).load()
            var existing = PhoneKeySet()
            let existingQuery = try database.prepare(Self.existingSQL)
            while try existingQuery.step() {
                if let phone = existingQuery.string(0), let number = PhoneNumber(e164: phone) { _ = existing.insert(number.key) }
            }
            existingQuery.reset()
            // Into an empty table, the phone index is built once at the end (a
            // sort) instead of row by row (a random B-tree insert each): the
            // parser has already removed duplicates, so the build cannot fail.
            let bulk = existing.count == 0
            if bulk { try database.execute(Self.dropPhoneIndexSQL) }
            let resolver = LeadZoneResolver(plan: plan, existing: try ZoneSetStore.all(database))
            let parser = try LeadRowParser(
                reader: reader, normalizer: normalizer, plan: plan, options: options, resolver: resolver, dnc: dnc, existing: existing,
                rejects: rejects, warnings: warnings)

            let queue = BoundedQueue<Result<LeadBatch?, any Error>>(capacity: 4)
            let work = Handoff(value: parser)
            let thread = Thread {
                let parser = work.value
                do {
                    while let batch = try parser.nextBatch() {
                        guard queue.put(.success(batch)) else { return }
                    }
                    queue.put(.success(nil))
                } catch {
                    queue.put(.failure(error))
                }
            }
            thread.stackSize = 1 << 22
            thread.start()
            defer { queue.close() }

            var written = (imported: 0, updated: 0, unchanged: 0)
            let list = try options.list.map { try LeadLists(database: database).create($0, at: now) }
            var listed = 0
            while let batch = try queue.take().get() {
                try write(batch, now: now, counts: &written)
                if let list { listed += try LeadLists(database: database).add(phones: batch.listPhones, to: list, at: now) }
                progress(batch.bytesRead)
            }
            if bulk {
                // The parsing thread is done: SQLite's sorter may use the idle core.
                _ = try? database.text("PRAGMA threads = 2")
                try database.execute(Self.createPhoneIndexSQL)
                _ = try? database.text("PRAGMA threads = 0")
            }
            var summary = parser.summary
            summary.imported = written.imported
            summary.updated = written.updated
            summary.duplicates += written.unchanged
            if let list {
                summary.list = options.list
                summary.listed = listed
                summary.listSize = try LeadLists(database: database).size(list)
            }
            // The rejected rows are in their file before the leads commit.
            try rejects.close()
            try warnings.close()
            return summary
        }
        summary.rejectsFile = rejects.count > 0 ? rejects.path : nil
        summary.warningsFile = warnings.count > 0 ? warnings.path : nil
        return summary
    }

    /// Writes one batch of parsed rows.
    private func write(_ batch: LeadBatch, now: Instant, counts: inout (imported: Int, updated: Int, unchanged: Int)) throws {
        try ZoneSetStore.insert(batch.zoneSets, into: database)
        let insert = try database.prepare(Self.insertSQL)
        let update = try database.prepare(Self.updateSQL)
        defer {
            // The bindings point into the batch's arena, which is about to go.
            insert.reset()
            update.reset()
        }
        try batch.arena.withUnsafeBufferPointer { arena in
            for (index, row) in batch.rows.enumerated() {
                let statement = row.existing ? update : insert
                statement.rewind()
                let base = index * LeadBatch.textColumns
                for k in 0..<LeadBatch.textColumns {
                    let ref = batch.texts[base + k]
                    let parameter = Int32(k + 1)
                    if ref.count < 0 {
                        try statement.bindNull(at: parameter)
                    } else {
                        try statement.bindTextNoCopy(UnsafeBufferPointer(rebasing: arena[Int(ref.start)..<Int(ref.start + ref.count)]), at: parameter)
                    }
                }
                if row.zoneSet > 0 { try statement.bind(row.zoneSet, at: 13) } else { try statement.bindNull(at: 13) }
                try statement.bind(row.dnc ? 1 : 0, at: 14)
                try statement.bind(Int64(row.line), at: 15)
                try statement.bind(now.milliseconds, at: 16)
                if row.phoneSource >= 0 { try statement.bind(batch.headers[Int(row.phoneSource)], at: 17) } else { try statement.bindNull(at: 17) }
                try statement.step()
                if row.existing {
                    if database.changes > 0 { counts.updated += 1 } else { counts.unchanged += 1 }
                } else {
                    counts.imported += 1
                }
            }
        }
    }

    /// "Ada Lovelace" → ("Ada", "Lovelace"); "Lovelace, Ada" → ("Ada", "Lovelace").
    static func split(name: String) -> (String?, String?) {
        let trimmed = name.trimmingSpaces()
        guard !trimmed.isEmpty else { return (nil, nil) }
        if let comma = trimmed.firstIndex(of: ",") {
            let last = String(trimmed[..<comma]).trimmingSpaces()
            let first = String(trimmed[trimmed.index(after: comma)...]).trimmingSpaces()
            return (first.isEmpty ? nil : first, last.isEmpty ? nil : last)
        }
        guard let space = trimmed.firstIndex(of: " ") else { return (trimmed, nil) }
        return (String(trimmed[..<space]), String(trimmed[trimmed.index(after: space)...]).trimmingSpaces())
    }

    /// `leads.csv` → `leads.rejects.csv`; standard input → `leads.rejects.csv` here.
    static func defaultRejectsPath(for path: String) -> String {
        if path == "-" { return "leads.rejects.csv" }
        if path.hasSuffix(".csv") || path.hasSuffix(".CSV") { return String(path.dropLast(4)) + ".rejects.csv" }
        return path + ".rejects.csv"
    }

    /// `leads.rejects.csv` → `leads.warnings.csv`; any other rejects path gets `.warnings.csv` after it.
    static func warningsPath(besideRejects path: String) -> String {
        if path.hasSuffix(".rejects.csv") { return String(path.dropLast(12)) + ".warnings.csv" }
        return path + ".warnings.csv"
    }

    /// The kind of a reason, for the summary's tally (`phone … has 9 digits` → `phone has 9 digits`).
    static func reasonKind(_ reason: String) -> String {
        if reason.hasPrefix("phone '"), let close = reason.dropFirst(7).firstIndex(of: "'") {
            return "phone " + String(reason[reason.index(after: close)...]).trimmingSpaces()
        }
        if reason.hasPrefix("is not valid UTF-8") { return "not valid UTF-8" }
        if let quote = reason.firstIndex(of: "'"), let end = reason[reason.index(after: quote)...].firstIndex(of: "'") {
            return String(reason[..<quote]) + "…" + String(reason[reason.index(after: end)...])
        }
        return reason
    }
}

/// A lead import that cannot start.
public enum LeadImportError: Error, Equatable, Sendable, CustomStringConvertible {
    case unknownRegion(String)

    public var description: String {
        switch self {
        case .unknownRegion(let region): return "region '\(region)' is not an ISO country code outdial knows (US, CA, GB …)"
        }
    }
}
