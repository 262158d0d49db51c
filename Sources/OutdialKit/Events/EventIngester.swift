import Foundation

/// `outdial ingest`: events from a file or a pipe — JSON Lines, a JSON array
/// or one JSON object, each element detected on its own (`EventDecoder`) —
/// recorded through the event recorder in transactions of up to 5,000. A
/// bad element is reported with its line and the rest still goes in.
/// Re-ingesting a file changes nothing.
public struct EventIngester {
    let database: Database
    let campaign: Campaign
    /// A call reported ended without its analysis is recorded as it is after this long (seconds).
    public var analysisWait: Int64 = 120

    public init(database: Database, campaign: Campaign) {
        self.database = database
        self.campaign = campaign
    }

    public struct Summary: Sendable, Equatable {
        public var events = 0
        public var new = 0
        public var duplicates = 0
        public var unknownCall = 0
        public var ignored = 0
        /// Events that could not be used: by line and why.
        public var errors: [(line: Int, reason: String)] = []
        /// Calls whose end came without its analysis and whose wait ran out: recorded as they were.
        public var settled = 0

        public var rejected: Int { errors.count }

        public static func == (a: Summary, b: Summary) -> Bool {
            a.events == b.events && a.new == b.new && a.duplicates == b.duplicates && a.unknownCall == b.unknownCall && a.ignored == b.ignored
                && a.settled == b.settled && a.errors.map(\.line) == b.errors.map(\.line) && a.errors.map(\.reason) == b.errors.map(\.reason)
        }

        public var json: JSONValue {
            JSONObject([
                "events": .int(Int64(events)), "new": .int(Int64(new)), "duplicates": .int(Int64(duplicates)), "unknown_call": .int(Int64(unknownCall)),
                "ignored": .int(Int64(ignored)), "rejected": .int(Int64(rejected)), "settled": .int(Int64(settled)),
                "errors": .array(errors.prefix(1000).map { JSONObject(["line": .int(Int64($0.line)), "reason": .string($0.reason)]) }),
            ])
        }
    }

    /// The bytes of an events file, or of standard input for `-`.
    public static func read(path: String) throws -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        _ = try InputFileError.requireRegularFile(path)
        guard let data = FileManager.default.contents(atPath: path) else { throw InputFileError(path: path, reason: "cannot read the file") }
        return Array(data)
    }

    /// The elements of a file's bytes with the line each starts on (an
    /// array's elements by their position): slices of the file for JSON Lines.
    static func elements(_ bytes: [UInt8]) -> [(line: Int, bytes: ArraySlice<UInt8>)] {
        var start = 0
        while start < bytes.count, [32, 9, 10, 13].contains(bytes[start]) { start += 1 }
        if start < bytes.count, bytes[start] == UInt8(ascii: "[") || bytes[start] == UInt8(ascii: "{") {
            // One JSON value for the whole file: an array of events, or one event.
            // (JSON Lines of more than one object never parse as one value.)
            if let whole = try? JSONParser.parse(bytes) {
                if case .array(let items) = whole { return items.enumerated().map { (line: $0.offset + 1, bytes: ArraySlice($0.element.rendered.utf8)) } }
                if case .object = whole { return [(1, bytes[...])] }
            }
        }
        var out: [(Int, ArraySlice<UInt8>)] = []
        var line = 1
        var lineStart = 0
        for i in 0...bytes.count where i == bytes.count || bytes[i] == 10 {
            var end = i
            if end > lineStart, bytes[end - 1] == 13 { end -= 1 }
            if end > lineStart, bytes[lineStart..<end].contains(where: { $0 != 32 && $0 != 9 }) { out.append((line, bytes[lineStart..<end])) }
            line += 1
            lineStart = i + 1
        }
        return out
    }

    public func ingest(_ bytes: [UInt8], receivedAt now: Instant = .now) throws -> Summary {
        var summary = Summary()
        let recorder = try EventRecorder(database: database, campaign: campaign)
        let ms = now.milliseconds
        let elements = Self.elements(bytes)
        var index = 0
        while index < elements.count {
            let group = elements[index..<min(index + 5000, elements.count)]
            index += group.count
            try database.transaction {
                for (line, text) in group {
                    summary.events += 1
                    switch EventDecoder.decode(bytes: text, receivedAt: ms) {
                    case .invalid(let reason): summary.errors.append((line, reason))
                    case .ignored: summary.ignored += 1
                    case .call(let update):
                        switch try recorder.record(update, receivedAt: ms) {
                        case .new: summary.new += 1
                        case .duplicate: summary.duplicates += 1
                        case .unknownCall: summary.unknownCall += 1
                        case .rejected(let reason): summary.errors.append((line, reason))
                        }
                    case .message(let message):
                        switch try recorder.record(message, receivedAt: ms) {
                        case .new: summary.new += 1
                        case .duplicate: summary.duplicates += 1
                        case .unknownCall, .rejected: summary.errors.append((line, "no lead has the number \(message.from)"))
                        }
                    case .handoff(let handoff):
                        switch try recorder.record(handoff, receivedAt: ms) {
                        case .new: summary.new += 1
                        case .duplicate: summary.duplicates += 1
                        case .unknownCall, .rejected: summary.errors.append((line, "no lead has the number \(handoff.from)"))
                        }
                    }
                }
            }
        }
        summary.settled = try database.transaction { try recorder.settlePending(endedBefore: ms - analysisWait * 1000, receivedAt: ms) }
        return summary
    }
}
