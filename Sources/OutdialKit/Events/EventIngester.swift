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

    /// The elements of a file's bytes with the line each starts on (an
    /// array's elements by their position): slices of the file for JSON Lines.
    static func elements(_ bytes: [UInt8]) -> [(line: Int, bytes: ArraySlice<UInt8>)] {
        if let whole = wholeValue(bytes) { return whole }
        return lines(bytes[...], firstLine: 1)
    }

    /// The elements of a file that is one JSON value (an array of events, or
    /// one event); nil for JSON Lines, which never parse as one value.
    static func wholeValue(_ bytes: [UInt8]) -> [(line: Int, bytes: ArraySlice<UInt8>)]? {
        var start = 0
        while start < bytes.count, [32, 9, 10, 13].contains(bytes[start]) { start += 1 }
        guard start < bytes.count, bytes[start] == UInt8(ascii: "[") || bytes[start] == UInt8(ascii: "{"), let whole = try? JSONParser.parse(bytes) else {
            return nil
        }
        if case .array(let items) = whole { return items.enumerated().map { (line: $0.offset + 1, bytes: ArraySlice($0.element.rendered.utf8)) } }
        if case .object = whole { return [(1, bytes[...])] }
        return nil
    }

    /// The non-blank lines of `bytes` (CR LF or LF), numbered from `firstLine`.
    static func lines(_ bytes: ArraySlice<UInt8>, firstLine: Int) -> [(line: Int, bytes: ArraySlice<UInt8>)] {
        var out: [(Int, ArraySlice<UInt8>)] = []
        var line = firstLine
        var lineStart = bytes.startIndex
        for i in bytes.startIndex...bytes.endIndex where i == bytes.endIndex || bytes[i] == 10 {
            var end = i
            if end > lineStart, bytes[end - 1] == 13 { end -= 1 }
            if end > lineStart, bytes[lineStart..<end].contains(where: { $0 != 32 && $0 != 9 }) { out.append((line, bytes[lineStart..<end])) }
            line += 1
            lineStart = i + 1
        }
        return out
    }

    /// Ingests a file, or standard input for `-`. JSON Lines are read and
    /// recorded a block at a time, so memory stays flat whatever the file's
    /// size; a file that is one JSON value (an array, or one pretty-printed
    /// event) is read whole.
    public func ingest(path: String, receivedAt now: Instant = .now) throws -> Summary { try ingest(path: path, receivedAt: now, blockSize: 8 << 20) }

    func ingest(path: String, receivedAt now: Instant, blockSize: Int) throws -> Summary {
        let descriptor: Int32
        if path == "-" {
            descriptor = 0
        } else {
            _ = try InputFileError.requireRegularFile(path)
            descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { throw InputFileError(path: path, reason: String(cString: strerror(errno))) }
        }
        defer { if descriptor != 0 { close(descriptor) } }
        return try ingest(descriptor: descriptor, name: path, receivedAt: now, blockSize: blockSize)
    }

    /// Ingests what a descriptor gives until its end (a file, a pipe).
    func ingest(descriptor: Int32, name path: String, receivedAt now: Instant, blockSize: Int = 8 << 20) throws -> Summary {
        var source = BlockReader(descriptor: descriptor, path: path, size: blockSize)
        var pending = try source.block()
        // The first whole line decides: not an event on its own, the file is one value, read it whole.
        while !source.atEOF, !pending.contains(10) { pending += try source.block() }
        if let first = Self.lines(pending[...], firstLine: 1).first, (try? JSONParser.parse(Array(first.bytes))) == nil {
            while !source.atEOF { pending += try source.block() }
            return try ingest(pending, receivedAt: now)
        }
        var run = try Ingestion(ingester: self, now: now)
        var line = 1
        while true {
            // Whole lines are recorded (and committed) before more is read; an unfinished last one waits for the next block.
            let cut = source.atEOF ? pending.endIndex : (pending.lastIndex(of: 10).map { $0 + 1 } ?? pending.startIndex)
            if cut > pending.startIndex {
                try run.record(Self.lines(pending[..<cut], firstLine: line))
                line += pending[..<cut].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
                pending.removeSubrange(..<cut)
            }
            if source.atEOF { break }
            pending += try source.block()
        }
        return try run.finish()
    }

    public func ingest(_ bytes: [UInt8], receivedAt now: Instant = .now) throws -> Summary {
        var run = try Ingestion(ingester: self, now: now)
        try run.record(Self.elements(bytes))
        return try run.finish()
    }

    /// One ingest's recorder and tally.
    struct Ingestion {
        let ingester: EventIngester
        let recorder: EventRecorder
        let ms: Int64
        var summary = Summary()

        init(ingester: EventIngester, now: Instant) throws {
            self.ingester = ingester
            recorder = try EventRecorder(database: ingester.database, campaign: ingester.campaign)
            ms = now.milliseconds
        }

        /// Records elements in transactions of up to 5,000.
        mutating func record(_ elements: [(line: Int, bytes: ArraySlice<UInt8>)]) throws {
            var index = 0
            while index < elements.count {
                let group = elements[index..<min(index + 5000, elements.count)]
                index += group.count
                try ingester.database.transaction {
                    for (line, text) in group { try record(line: line, text) }
                }
            }
        }

        private mutating func record(line: Int, _ text: ArraySlice<UInt8>) throws {
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

        mutating func finish() throws -> Summary {
            summary.settled = try ingester.database.transaction {
                try recorder.settlePending(endedBefore: ms - ingester.analysisWait * 1000, receivedAt: ms)
            }
            return summary
        }
    }

    /// Reads a descriptor a block (up to `size` bytes) at a time; a block
    /// ends early when a pipe has nothing more to give yet.
    struct BlockReader {
        let descriptor: Int32
        let path: String
        let size: Int
        private(set) var atEOF = false

        mutating func block() throws -> [UInt8] {
            var bytes = [UInt8](repeating: 0, count: size)
            var filled = 0
            while filled < size {
                let n = bytes.withUnsafeMutableBytes { read(descriptor, $0.baseAddress! + filled, size - filled) }
                if n < 0, errno == EINTR { continue }
                guard n >= 0 else { throw InputFileError(path: path == "-" ? "standard input" : path, reason: String(cString: strerror(errno))) }
                if n == 0 {
                    atEOF = true
                    break
                }
                filled += n
                // A pipe that has nothing more yet: record what came, rather than wait for a full block.
                var ready = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                if poll(&ready, 1, 0) == 0 { break }
            }
            bytes.removeSubrange(filled...)
            return bytes
        }
    }
}
