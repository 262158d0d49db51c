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
public final class LeadImporter {
    let database: Database
    let plan: NumberingPlan

    public init(database: Database, plan: NumberingPlan = .shared) {
        self.database = database
        self.plan = plan
    }

    static let insertSQL = """
        INSERT INTO leads (external_id, phone, first_name, last_name, email, state, zip, country, timezone,
            zones, zone_sources, state_source, dnc, fields, source_line, created_at, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?16)
        """
    static let updateSQL = """
        UPDATE leads SET external_id = ?1, first_name = ?3, last_name = ?4, email = ?5, state = ?6, zip = ?7,
            country = ?8, timezone = ?9, zones = ?10, zone_sources = ?11, state_source = ?12, dnc = ?13, fields = ?14,
            source_line = ?15, updated_at = ?16
        WHERE phone = ?2 AND (external_id IS NOT ?1 OR first_name IS NOT ?3 OR last_name IS NOT ?4 OR email IS NOT ?5
            OR state IS NOT ?6 OR zip IS NOT ?7 OR country IS NOT ?8 OR timezone IS NOT ?9 OR zones IS NOT ?10
            OR dnc IS NOT ?13 OR fields IS NOT ?14)
        """
    static let tagSQL = "INSERT OR IGNORE INTO lead_tags (lead_id, tag, created_at) VALUES (?, ?, ?)"
    static let leadIDSQL = "SELECT id FROM leads WHERE phone = ?"
    static let existingSQL = "SELECT phone FROM leads"

    /// Imports a file. `progress` is called with bytes read, now and then.
    public func run(path: String, options: LeadImportOptions, now: Instant = .now, progress: (Int) -> Void = { _ in }) throws -> LeadImportSummary {
        guard let normalizer = PhoneNormalizer(region: options.region, plan: plan) else {
            throw LeadImportError.unknownRegion(options.region)
        }
        let reader = try CSVReader(path: path, delimiter: options.delimiter, latin1: options.latin1)
        guard try reader.next() else { throw CSVError(file: path, line: 1, kind: .empty) }
        let headers = (0..<reader.fieldCount).map { reader.string($0) ?? "" }
        let headerLine = reader.line
        if reader.invalidUTF8Offset() != nil {
            throw CSVError(file: path, line: headerLine, kind: .badHeader("the header is not valid UTF-8; for a Latin-1 file use --encoding latin1"))
        }
        let mapping = ColumnMapping(headers: headers, overrides: options.mappings)
        guard let phoneColumn = mapping.columns[.phone] else {
            throw CSVError(file: path, line: headerLine, kind: .missingColumn("phone", found: headers))
        }
        let rejectsPath = options.rejectsPath ?? Self.defaultRejectsPath(for: path)
        let rejects = RejectsWriter(path: rejectsPath)
        var summary = LeadImportSummary()
        var reasonCounts: [String: Int] = [:]

        func reject(_ reason: String) throws {
            summary.rejected += 1
            reasonCounts[Self.reasonKind(reason), default: 0] += 1
            try rejects.write(line: reader.line, reason: reason, raw: reader.raw)
        }

        // Custom columns become a JSON object; their names are escaped once.
        let customKeys: [[UInt8]] = mapping.custom.map { column in
            var key: [UInt8] = []
            JSONValue.writeString(column.name, to: &key)
            key.append(58)
            return key
        }
        let column = mapping.columns
        let zoneResolver = LeadZoneResolver(plan: plan)
        var fieldsJSON: [UInt8] = []
        fieldsJSON.reserveCapacity(1024)

        try database.transaction {
            let dnc = try DoNotCallStore(database: database).load()
            var existing = Set<UInt64>()
            let existingQuery = try database.prepare(Self.existingSQL)
            while try existingQuery.step() {
                if let phone = existingQuery.string(0), let number = PhoneNumber(e164: phone) { existing.insert(number.key) }
            }
            var seen = Set<UInt64>(minimumCapacity: 1 << 16)
            let insert = try database.prepare(Self.insertSQL)
            let update = try database.prepare(Self.updateSQL)
            let tagInsert = try database.prepare(Self.tagSQL)
            let leadID = try database.prepare(Self.leadIDSQL)
            var rowsSinceProgress = 0

            while try reader.next() {
                summary.rows += 1
                rowsSinceProgress += 1
                if rowsSinceProgress == 4096 {
                    rowsSinceProgress = 0
                    progress(reader.bytesRead)
                }
                if reader.oversized {
                    try reject("has a field longer than \(reader.maxRecordBytes / 1024) KiB")
                    continue
                }
                if let offset = reader.invalidUTF8Offset() {
                    try reject("is not valid UTF-8 (byte offset \(offset)); for a Latin-1 file use --encoding latin1")
                    continue
                }
                guard reader.fieldCount == headers.count else {
                    try reject("has \(reader.fieldCount) field\(reader.fieldCount == 1 ? "" : "s"); the header has \(headers.count)")
                    continue
                }
                let normalized: NormalizedPhone
                do {
                    normalized = try reader.withField(phoneColumn) { bytes in try normalizer.normalize(bytes: bytes) }
                } catch let error as PhoneNumberError {
                    try reject("phone '\(reader.string(phoneColumn) ?? "")' \(error.reason)")
                    continue
                }
                let number = normalized.number
                let key = number.key
                guard seen.insert(key).inserted else {
                    summary.duplicates += 1
                    try rejects.write(line: reader.line, reason: "duplicate of an earlier row (\(number.e164))", raw: reader.raw)
                    continue
                }
                let isExisting = existing.contains(key)
                if isExisting, options.onDuplicate == .skip {
                    summary.duplicates += 1
                    continue
                }

                // State: the address (state column, else ZIP), else the phone's area code.
                var state: String?
                var stateSource: String?
                if let c = column[.state], let text = reader.string(c), !text.isEmpty {
                    guard let code = plan.regionCode(text) else {
                        try reject("state '\(text)' is not a US state or Canadian province")
                        continue
                    }
                    state = code
                    stateSource = "state"
                }
                if state == nil, let c = column[.zip], let text = reader.string(c), !text.isEmpty, let code = plan.state(forZIP: text) {
                    state = code
                    stateSource = "zip"
                }
                let addressState = state
                let location = plan.locate(number)
                if state == nil, let phoneState = location.state {
                    state = phoneState
                    stateSource = "phone"
                }

                // Zones: an explicit timezone alone, else prefix ∪ address.
                var explicitZone: String?
                let resolution: LeadZoneResolver.Resolution
                if let c = column[.timezone], let text = reader.string(c), !text.trimmingSpaces().isEmpty {
                    guard let zones = LeadZoneResolver.zones(forTimezone: text) else {
                        try reject("timezone '\(text)' is not an IANA time zone (America/Chicago) or a US abbreviation (CST)")
                        continue
                    }
                    explicitZone = text.trimmingSpaces()
                    resolution = zoneResolver.explicit(zones)
                } else {
                    resolution = zoneResolver.resolve(phoneZones: location.zones, addressState: addressState)
                }

                let onDNC = dnc.contains(number)
                if onDNC { summary.dnc += 1 }
                if normalized.droppedExtension != nil { summary.extensionsDropped += 1 }
                if normalized.repair != nil { summary.repaired += 1 }

                // Custom fields as a JSON object.
                fieldsJSON.removeAll(keepingCapacity: true)
                fieldsJSON.append(123)
                for (i, custom) in mapping.custom.enumerated() {
                    if i > 0 { fieldsJSON.append(44) }
                    fieldsJSON.append(contentsOf: customKeys[i])
                    reader.withField(custom.index) { Self.writeJSONString($0, to: &fieldsJSON) }
                }
                fieldsJSON.append(125)

                let statement = isExisting ? update : insert
                statement.reset()
                try bindOptional(statement, 1, column[.id], reader)
                try statement.bind(number.e164, at: 2)
                var first: String?
                var last: String?
                if column[.firstName] == nil, column[.lastName] == nil, let c = column[.name], let full = reader.string(c) {
                    (first, last) = Self.split(name: full)
                }
                if let first { try statement.bind(first, at: 3) } else { try bindOptional(statement, 3, column[.firstName], reader) }
                if let last { try statement.bind(last, at: 4) } else { try bindOptional(statement, 4, column[.lastName], reader) }
                try bindOptional(statement, 5, column[.email], reader)
                if let state { try statement.bind(state, at: 6) } else { try statement.bindNull(at: 6) }
                try bindOptional(statement, 7, column[.zip], reader)
                if let c = column[.country], let text = reader.string(c)?.trimmingSpaces(), !text.isEmpty {
                    try statement.bind(text.uppercased(), at: 8)
                } else if let country = location.country {
                    try statement.bind(country, at: 8)
                } else {
                    try statement.bindNull(at: 8)
                }
                if let explicitZone { try statement.bind(explicitZone, at: 9) } else { try statement.bindNull(at: 9) }
                try statement.bind(resolution.zonesText, at: 10)
                try statement.bind(resolution.sourcesJSON, at: 11)
                if let stateSource { try statement.bind(stateSource, at: 12) } else { try statement.bindNull(at: 12) }
                try statement.bind(onDNC ? 1 : 0, at: 13)
                try fieldsJSON.withUnsafeBufferPointer { try statement.bindText($0, at: 14) }
                try statement.bind(Int64(reader.line), at: 15)
                try statement.bind(now.milliseconds, at: 16)
                try statement.execute()
                if isExisting {
                    summary.updated += database.changes > 0 ? 1 : 0
                    summary.duplicates += database.changes > 0 ? 0 : 1
                } else {
                    summary.imported += 1
                }

                if let c = column[.tags], let text = reader.string(c), !text.isEmpty {
                    let id: Int64
                    if isExisting {
                        leadID.reset()
                        try leadID.bind(number.e164, at: 1)
                        guard try leadID.step() else { continue }
                        id = leadID.int64(0)
                    } else {
                        id = database.lastInsertRowID
                    }
                    for tag in text.split(whereSeparator: { $0 == ";" || $0 == "," }) {
                        let trimmed = String(tag).trimmingSpaces()
                        guard !trimmed.isEmpty else { continue }
                        tagInsert.reset()
                        try tagInsert.bind([.integer(id), .text(trimmed), .integer(now.milliseconds)])
                        try tagInsert.execute()
                    }
                }
            }
            progress(reader.bytesRead)
        }
        try rejects.close()
        summary.rejectsFile = rejects.count > 0 ? rejectsPath : nil
        summary.reasons = reasonCounts.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
        return summary
    }

    private func bindOptional(_ statement: Statement, _ index: Int32, _ column: Int?, _ reader: CSVReader) throws {
        guard let column else { return try statement.bindNull(at: index) }
        try reader.withField(column) { bytes in
            var start = 0
            var end = bytes.count
            while start < end, bytes[start] == 32 || bytes[start] == 9 { start += 1 }
            while end > start, bytes[end - 1] == 32 || bytes[end - 1] == 9 { end -= 1 }
            if start == end { try statement.bindNull(at: index) } else { try statement.bindText(UnsafeBufferPointer(rebasing: bytes[start..<end]), at: index) }
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

    /// A JSON string literal from UTF-8 bytes, escaping per RFC 8259.
    static func writeJSONString(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(34)
        for byte in bytes {
            switch byte {
            case 34: out.append(92); out.append(34)
            case 92: out.append(92); out.append(92)
            case 10: out.append(92); out.append(110)
            case 13: out.append(92); out.append(114)
            case 9: out.append(92); out.append(116)
            case 0..<32:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [92, 117, 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(34)
    }

    /// `leads.csv` → `leads.rejects.csv`; standard input → `leads.rejects.csv` here.
    static func defaultRejectsPath(for path: String) -> String {
        if path == "-" { return "leads.rejects.csv" }
        if path.hasSuffix(".csv") || path.hasSuffix(".CSV") { return String(path.dropLast(4)) + ".rejects.csv" }
        return path + ".rejects.csv"
    }

    /// The kind of a reason, for the summary's tally (`phone … has 9 digits` → `phone has 9 digits`).
    static func reasonKind(_ reason: String) -> String {
        if reason.hasPrefix("phone '"), let close = reason.dropFirst(7).firstIndex(of: "'") {
            return "phone " + reason[reason.index(after: close)...].trimmingCharacters()
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

extension Substring {
    fileprivate func trimmingCharacters() -> String { String(self).trimmingSpaces() }
}
