#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A streaming RFC 4180 reader over bytes: quoted fields with embedded
/// delimiters, doubled quotes and newlines; CRLF or LF; a UTF-8 BOM dropped.
///
/// It reads the file in large chunks and never holds more than one record, so
/// memory stays flat whatever the file's size. Fields are byte ranges into the
/// current record; nothing becomes a `String` unless the caller asks.
public final class CSVReader {
    /// The file name used in errors.
    public let file: String
    /// The field separator.
    public private(set) var delimiter: UInt8
    /// The longest record kept in full; a longer one is reported as oversized.
    public private(set) var maxRecordBytes: Int
    /// The longest header row: a longer one is an error, not a cut header.
    public static let maxHeaderBytes = 1 << 20
    /// Transcode Latin-1 bytes to UTF-8 while reading.
    public let latin1: Bool

    private let descriptor: Int32
    private var chunk: [UInt8]
    private var position = 0
    private var filled = 0
    private var atEOF = false
    private var nextLine = 1
    private var offset = 0  // file offset of chunk[0]

    /// The fields of the current record, unescaped.
    public private(set) var data: [UInt8] = []
    /// The end offset in `data` of each field.
    public private(set) var fieldEnds: [Int] = []
    /// The record as it stood in the file, without its line end (for rejects files).
    public var raw: [UInt8] {
        var bytes = chunk.withUnsafeBufferPointer { rawSpill + $0[rawStart..<rawEnd] }
        while let last = bytes.last, last == 10 || last == 13 { bytes.removeLast() }
        return bytes
    }
    /// Where the current record starts and ends in `chunk`; bytes of the
    /// record that a refill moved out of the chunk are in `rawSpill`.
    private var rawStart = 0
    private var rawEnd = 0
    private var rawSpill: [UInt8] = []
    /// The line the current record starts on (1-based).
    public private(set) var line = 0
    /// The byte offset in the file where the current record starts.
    public private(set) var recordOffset = 0
    /// The record was longer than `maxRecordBytes` and was cut.
    public private(set) var oversized = false
    /// Bytes consumed so far (for progress).
    public var bytesRead: Int { offset + position }

    /// Opens a file; `-` reads standard input.
    public init(path: String, delimiter: UInt8? = nil, latin1: Bool = false, maxRecordBytes: Int = 256 << 10) throws(InputFileError) {
        if path == "-" {
            descriptor = 0
        } else {
            try InputFileError.requireRegularFile(path)
            descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { throw InputFileError(path: path, reason: String(cString: strerror(errno))) }
        }
        self.file = path
        self.latin1 = latin1
        self.maxRecordBytes = maxRecordBytes
        self.delimiter = delimiter ?? UInt8(ascii: ",")
        chunk = [UInt8](repeating: 0, count: 1 << 20)
        data.reserveCapacity(4096)
        refill()
        // A UTF-8 byte-order mark is dropped; UTF-16 and binary files are named for what they are.
        if filled >= 3, chunk[0] == 0xEF, chunk[1] == 0xBB, chunk[2] == 0xBF { position = 3 }
        if !latin1, filled >= 2, (chunk[0] == 0xFF && chunk[1] == 0xFE) || (chunk[0] == 0xFE && chunk[1] == 0xFF) {
            throw InputFileError(path: path, reason: "the file is UTF-16 text; save it as UTF-8 (in Excel: CSV UTF-8)")
        }
        let head = chunk[0..<min(filled, 4096)]
        if head.prefix(while: { $0 != 10 }).contains(0) {
            throw InputFileError(path: path, reason: "the file holds NUL bytes, so it is not a text CSV (UTF-16 without a byte-order mark, or binary)")
        }
        if delimiter == nil { self.delimiter = detectDelimiter() }
    }

    deinit { if descriptor > 0 { close(descriptor) } }

    /// The number of fields in the current record.
    public var fieldCount: Int { fieldEnds.count }

    /// The bytes of field `i` of the current record.
    @inline(__always)
    public func withField<T>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        let start = i == 0 ? 0 : fieldEnds[i - 1]
        return try data.withUnsafeBufferPointer { try body(UnsafeBufferPointer(rebasing: $0[start..<fieldEnds[i]])) }
    }

    /// The current record's fields as pointers, valid inside `body`: one
    /// access for a whole row instead of one per field (the hot path).
    @inline(__always)
    public func withRecord<T>(_ body: (CSVRecord) throws -> T) rethrows -> T {
        try data.withUnsafeBufferPointer { bytes in
            try fieldEnds.withUnsafeBufferPointer { ends in try body(CSVRecord(bytes: bytes, ends: ends)) }
        }
    }

    /// Field `i` as a `String` (nil when out of range).
    public func string(_ i: Int) -> String? {
        guard i < fieldEnds.count else { return nil }
        return withField(i) { String(decoding: $0, as: UTF8.self) }
    }

    /// The byte offset in the file of the first byte of the record that is not
    /// valid UTF-8, or nil when the record is valid.
    public func invalidUTF8Offset() -> Int? {
        if rawSpill.isEmpty {
            return chunk.withUnsafeBufferPointer { Self.invalidUTF8(UnsafeBufferPointer(rebasing: $0[rawStart..<rawEnd])) }.map { $0 + recordOffset }
        }
        return raw.withUnsafeBufferPointer { Self.invalidUTF8($0) }.map { $0 + recordOffset }
    }

    /// The index of the first byte that is not valid UTF-8, if any.
    private static func invalidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        do {
            var i = 0
            let n = bytes.count
            while i < n {
                let b = bytes[i]
                if b < 0x80 {
                    i += 1
                    continue
                }
                let length: Int
                if b & 0xE0 == 0xC0, b >= 0xC2 {
                    length = 2
                } else if b & 0xF0 == 0xE0 {
                    length = 3
                } else if b & 0xF8 == 0xF0, b <= 0xF4 {
                    length = 4
                } else {
                    return i
                }
                guard i + length <= n else { return i }
                for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { return i }
                if length == 3 {
                    let c1 = bytes[i + 1]
                    if (b == 0xE0 && c1 < 0xA0) || (b == 0xED && c1 >= 0xA0) { return i }
                } else if length == 4 {
                    let c1 = bytes[i + 1]
                    if (b == 0xF0 && c1 < 0x90) || (b == 0xF4 && c1 >= 0x90) { return i }
                }
                i += length
            }
            return nil
        }
    }

    /// Reads the next record. Returns false at the end of the file.
    /// Blank lines are skipped.
    public func next() throws(CSVError) -> Bool {
        while true {
            guard try readRecord() else { return false }
            if !(fieldEnds.count == 1 && fieldEnds[0] == 0 && !rawHadQuote) { return true }
        }
    }

    /// Reads the header row (the first record, up to `maxHeaderBytes`).
    /// Returns false when the file has no record at all.
    public func nextHeader() throws(CSVError) -> Bool {
        let recordLimit = maxRecordBytes
        maxRecordBytes = max(recordLimit, Self.maxHeaderBytes)
        defer { maxRecordBytes = recordLimit }
        guard try next() else { return false }
        if oversized { throw CSVError(file: file, line: line, kind: .badHeader("the header row is over 1 MiB, so this is not a CSV outdial can read")) }
        return true
    }

    private var rawHadQuote = false

    private func refill() {
        if position > 0 {
            offset += position
            if position < filled {
                chunk.withUnsafeMutableBufferPointer { b in
                    _ = memmove(b.baseAddress!, b.baseAddress! + position, filled - position)
                }
            }
            filled -= position
            position = 0
        }
        while !atEOF && filled < chunk.count {
            let want = latin1 ? (chunk.count - filled) / 2 : chunk.count - filled
            guard want > 0 else { break }
            let n = chunk.withUnsafeMutableBufferPointer { b in read(descriptor, b.baseAddress! + filled, want) }
            if n < 0, errno == EINTR { continue }
            if n <= 0 {
                atEOF = true
                break
            }
            if latin1 { transcodeLatin1(from: filled, count: n) } else { filled += n }
            if filled >= chunk.count / 2 { break }
        }
    }

    /// Expands Latin-1 bytes just read (at `start`, `count` long) to UTF-8 in place.
    private func transcodeLatin1(from start: Int, count: Int) {
        var high = 0
        for i in start..<(start + count) where chunk[i] >= 0x80 { high += 1 }
        var write = start + count + high
        var read = start + count
        while read > start {
            read -= 1
            let b = chunk[read]
            if b < 0x80 {
                write -= 1
                chunk[write] = b
            } else {
                write -= 2
                chunk[write] = 0xC0 | (b >> 6)
                chunk[write + 1] = 0x80 | (b & 0x3F)
            }
        }
        filled = start + count + high
    }

    private func detectDelimiter() -> UInt8 {
        var counts: [UInt8: Int] = [44: 0, 59: 0, 9: 0, 124: 0]
        var quoted = false
        var i = position
        while i < filled {
            let b = chunk[i]
            if b == 34 { quoted.toggle() }
            if !quoted {
                if b == 10 || b == 13 { break }
                if counts[b] != nil { counts[b]! += 1 }
            }
            i += 1
        }
        let best = counts.max { a, b in a.value == b.value ? a.key > b.key : a.value < b.value }
        return best.map { $0.value > 0 ? $0.key : 44 } ?? 44
    }

    /// Keeps the record's bytes so far (a refill drops them from the chunk), then refills.
    private func spillAndRefill() {
        let keep = min(position - rawStart, max(0, maxRecordBytes - rawSpill.count))
        if keep > 0 { chunk.withUnsafeBufferPointer { rawSpill.append(contentsOf: $0[rawStart..<(rawStart + keep)]) } }
        refill()
        rawStart = position
    }

    /// Reads one record into `data` and `fieldEnds`, noting where its raw bytes are.
    ///
    /// The hot loop works on a raw pointer into the chunk with the cursor in
    /// locals, copying runs of plain bytes at once; the stored properties are
    /// touched only when a chunk runs out.
    private func readRecord() throws(CSVError) -> Bool {
        var data = self.data
        var ends = self.fieldEnds
        self.data = []
        self.fieldEnds = []
        defer {
            self.data = data
            self.fieldEnds = ends
            rawEnd = position
        }
        data.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        rawSpill.removeAll(keepingCapacity: true)
        oversized = false
        rawHadQuote = false
        line = nextLine
        recordOffset = bytesRead
        let delimiter = self.delimiter
        let limit = maxRecordBytes
        var lines = 0
        defer { nextLine += lines }

        if position == filled { refill() }
        rawStart = position
        guard position < filled else { return false }
        var quoted = false  // inside a quoted field
        var fieldStarted = false  // the current field has begun (for a quote's meaning)

        while true {
            if position == filled {
                spillAndRefill()
                if position == filled {
                    if quoted { throw CSVError(file: file, line: line, kind: .unterminatedQuote) }
                    ends.append(data.count)
                    return true
                }
            }
            let done: Bool = chunk.withUnsafeBufferPointer { buffer -> Bool in
                let p = buffer.baseAddress!
                var i = position
                let n = filled
                defer { position = i }
                while i < n {
                    if quoted {
                        // Copy up to the next quote or newline in one go.
                        var j = i
                        while j < n, p[j] != 34, p[j] != 10 { j += 1 }
                        if j > i {
                            let run = UnsafeBufferPointer(start: p + i, count: j - i)
                            if data.count + run.count <= limit { data.append(contentsOf: run) } else { oversized = true }
                            i = j
                            continue
                        }
                        let c = p[i]
                        if c == 10 {
                            lines += 1
                            if data.count < limit { data.append(10) } else { oversized = true }
                            i += 1
                            continue
                        }
                        // A quote: doubled means a literal quote, else the field's quoting ends.
                        if i + 1 >= n {
                            if !atEOF { return false }  // need the next byte to decide
                            i += 1
                            quoted = false
                            continue
                        }
                        if p[i + 1] == 34 {
                            if data.count < limit { data.append(34) } else { oversized = true }
                            i += 2
                            continue
                        }
                        i += 1
                        quoted = false
                        continue
                    }
                    // Outside quotes: copy plain bytes up to a delimiter, quote or line end.
                    var j = i
                    while j < n {
                        let c = p[j]
                        if c == delimiter || c == 10 || c == 13 || (c == 34 && !fieldStarted && j == i) { break }
                        j += 1
                    }
                    if j > i {
                        let run = UnsafeBufferPointer(start: p + i, count: j - i)
                        if data.count + run.count <= limit { data.append(contentsOf: run) } else { oversized = true }
                        fieldStarted = true
                        i = j
                        continue
                    }
                    let c = p[i]
                    if c == 34 {
                        quoted = true
                        fieldStarted = true
                        rawHadQuote = true
                        i += 1
                        continue
                    }
                    if c == delimiter {
                        ends.append(data.count)
                        fieldStarted = false
                        i += 1
                        continue
                    }
                    // CR, LF or CRLF ends the record.
                    if c == 13 {
                        if i + 1 >= n, !atEOF { return false }  // is an LF next?
                        i += (i + 1 < n && p[i + 1] == 10) ? 2 : 1
                    } else {
                        i += 1
                    }
                    lines += 1
                    ends.append(data.count)
                    return true
                }
                return false
            }
            if done { return true }
            if position < filled {
                // A quote or CR at the very end of the chunk: pull more bytes in and look again.
                spillAndRefill()
                if position + 1 >= filled, atEOF {
                    // Nothing follows: let the loop above settle it with atEOF set.
                    continue
                }
            }
        }
    }
}

/// A record's fields as byte pointers into the reader's buffer.
public struct CSVRecord {
    let bytes: UnsafeBufferPointer<UInt8>
    let ends: UnsafeBufferPointer<Int>

    /// The number of fields.
    public var count: Int { ends.count }

    /// The bytes of field `i`.
    @inline(__always)
    public func field(_ i: Int) -> UnsafeBufferPointer<UInt8> {
        let start = i == 0 ? 0 : ends[i - 1]
        return UnsafeBufferPointer(rebasing: bytes[start..<ends[i]])
    }

    /// Field `i` as a `String`.
    public func string(_ i: Int) -> String { String(decoding: field(i), as: UTF8.self) }
}
