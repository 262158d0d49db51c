/// Reads a do-not-call file strictly (docs/leads.md, "Do not call"): one
/// number or area-code wildcard a line (`#` starts a comment, no quoting), or
/// a CSV whose header names a phone column. Every line is a number or an
/// error with its line number; any error fails the import with nothing
/// imported, unless `skipInvalid` is set, which imports the rest and lists them.
public struct DoNotCallImporter {
    let database: Database

    public init(database: Database) { self.database = database }

    /// A line that could not be read.
    public struct LineError: Sendable, Equatable {
        public var line: Int
        public var text: String
        public var reason: String
    }

    /// The most line errors kept (the rest are counted).
    static let errorsKept = 1000

    /// What an import did.
    public struct Result: Sendable {
        public var entries = 0
        public var added = 0
        public var leadsMarked = 0
        public var errors: [LineError] = []
        /// Every unreadable line, including those past `errors`.
        public var errorCount = 0

        public var json: JSONValue {
            JSONObject([
                "entries": .int(Int64(entries)), "added": .int(Int64(added)), "leads_marked": .int(Int64(leadsMarked)),
                "unreadable": .int(Int64(errorCount)),
                "errors": .array(errors.map { JSONObject(["line": .int(Int64($0.line)), "text": .string($0.text), "reason": .string($0.reason)]) }),
            ])
        }
    }

    public func run(path: String, region: String, skipInvalid: Bool = false, source: String? = nil) throws -> Result {
        guard let normalizer = PhoneNormalizer(region: region) else { throw LeadImportError.unknownRegion(region) }
        var lines = try DoNotCallLines(path: path)
        defer { lines.close() }
        var result = Result()
        var column: Int?  // a CSV's phone column; nil for a plain list
        var first = true
        let store = DoNotCallStore(database: database)
        func fail(_ line: DoNotCallLines.Line, _ reason: String) {
            result.errorCount += 1
            if result.errors.count < Self.errorsKept {
                let text = line.text.utf8.count > 200 ? String(decoding: Array(line.text.utf8.prefix(200)), as: UTF8.self) + "…" : line.text
                result.errors.append(LineError(line: line.number, text: text, reason: reason))
            }
        }
        try database.transaction {
            let before = try database.scalar("SELECT count(*) FROM leads WHERE dnc = 1") ?? 0
            var batch: [DoNotCallEntry] = []
            while let line = lines.next() {
                // Without --skip-invalid the import fails anyway: a few hundred errors say enough.
                if !skipInvalid, result.errorCount >= Self.errorsKept { break }
                if let problem = line.problem {
                    fail(line, problem)
                    continue
                }
                let trimmed = line.text.trimmingSpaces()
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                var text = trimmed
                if first {
                    first = false
                    if let fields = Self.fields(trimmed), fields.count > 1 || LeadField.matching(header: trimmed) == .phone {
                        guard let index = fields.firstIndex(where: { LeadField.matching(header: $0) == .phone }) else {
                            fail(line, "looks like a CSV header but names no phone column (phone, phone_number, mobile …)")
                            break
                        }
                        column = index
                        continue
                    }
                }
                if let column {
                    guard let fields = Self.fields(trimmed) else {
                        fail(line, "has an unbalanced quote")
                        continue
                    }
                    guard column < fields.count else {
                        fail(line, "has no field \(column + 1) (the phone column)")
                        continue
                    }
                    text = fields[column].trimmingSpaces()
                    if text.isEmpty { continue }
                } else if text.contains("\"") || text.contains(",") {
                    fail(line, "holds a quote or a comma; a one-number-a-line file has one number on each line")
                    continue
                }
                do throws(PhoneNumberError) {
                    batch.append(try DoNotCallEntry.parse(text, normalizer: normalizer))
                    result.entries += 1
                } catch {
                    fail(line, error.reason)
                }
                if batch.count >= 10_000 {
                    result.added += try store.add(batch, source: source ?? path)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            if result.errorCount > 0, !skipInvalid { throw DoNotCallFileError(path: path, errors: result.errors, count: result.errorCount) }
            result.added += try store.add(batch, source: source ?? path)
            result.leadsMarked = Int((try database.scalar("SELECT count(*) FROM leads WHERE dnc = 1") ?? 0) - before)
        }
        return result
    }

    /// The fields of one CSV line (RFC 4180 quoting), or nil when a quote is unbalanced.
    static func fields(_ line: String) -> [String]? {
        var fields: [String] = []
        var field = ""
        var quoted = false
        var chars = Array(line)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" {
                        field.append("\"")
                        chars.removeFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(c)
                }
            } else if c == "\"" {
                guard field.trimmingSpaces().isEmpty else { return nil }
                quoted = true
            } else if c == "," {
                fields.append(field)
                field = ""
            } else {
                field.append(c)
            }
        }
        guard !quoted else { return nil }
        fields.append(field)
        return fields
    }
}

/// A do-not-call file with unreadable lines (exit 65): nothing was imported.
public struct DoNotCallFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var errors: [DoNotCallImporter.LineError]
    public var count: Int
    public var description: String {
        var text = "\(path): \(count)\(count > errors.count ? " or more" : "") unreadable line\(count == 1 ? "" : "s"); nothing was imported"
        for error in errors.prefix(10) { text += "\n  line \(error.line): '\(error.text)' \(error.reason)" }
        if count > 10 { text += "\n  …" }
        return text + "\nFix the lines, or add --skip-invalid to import the readable ones and list the rest."
    }
}

extension DoNotCallFileError: CommandError { public var exitCode: ExitCode { .dataError } }
