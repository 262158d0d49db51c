/// Reads a do-not-call file: one number a line (`#` starts a comment), or a
/// CSV whose header names a phone column.
public struct DoNotCallImporter {
    let database: Database

    public init(database: Database) { self.database = database }

    /// A line that could not be read.
    public struct LineError: Sendable, Equatable {
        public var line: Int
        public var text: String
        public var reason: String
    }

    /// What an import did.
    public struct Result: Sendable {
        public var entries = 0
        public var added = 0
        public var leadsMarked = 0
        public var errors: [LineError] = []

        public var json: JSONValue {
            JSONObject([
                "entries": .int(Int64(entries)), "added": .int(Int64(added)), "leads_marked": .int(Int64(leadsMarked)),
                "errors": .array(errors.map { JSONObject(["line": .int(Int64($0.line)), "text": .string($0.text), "reason": .string($0.reason)]) }),
            ])
        }
    }

    public func run(path: String, region: String, source: String? = nil) throws -> Result {
        guard let normalizer = PhoneNormalizer(region: region) else { throw LeadImportError.unknownRegion(region) }
        let reader = try CSVReader(path: path)
        var result = Result()
        var entries: [DoNotCallEntry] = []
        var column = 0
        var first = true
        while try reader.next() {
            // `#` starts a comment line in a plain list.
            if reader.string(0)?.trimmingSpaces().hasPrefix("#") == true { continue }
            if first {
                first = false
                let headers = (0..<reader.fieldCount).map { reader.string($0) ?? "" }
                if let index = headers.firstIndex(where: { LeadField.matching(header: $0) == .phone }) {
                    column = index
                    continue
                }
            }
            guard let text = reader.string(column), !text.trimmingSpaces().isEmpty else { continue }
            do {
                entries.append(try DoNotCallEntry.parse(text, normalizer: normalizer))
            } catch {
                result.errors.append(LineError(line: reader.line, text: text, reason: error.reason))
            }
        }
        result.entries = entries.count
        try database.transaction {
            let before = try database.scalar("SELECT count(*) FROM leads WHERE dnc = 1") ?? 0
            result.added = try DoNotCallStore(database: database).add(entries, source: source ?? path)
            result.leadsMarked = Int((try database.scalar("SELECT count(*) FROM leads WHERE dnc = 1") ?? 0) - before)
        }
        return result
    }
}
