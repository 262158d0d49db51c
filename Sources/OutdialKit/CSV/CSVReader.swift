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
    public let maxRecordBytes: Int
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
    /// The record as it stood in the file (for rejects files).
    public private(set) var raw: [UInt8] = []
    /// The line the current record starts on (1-based).
    public private(set) var line = 0
    /// The byte offset in the file where the current record starts.
    public private(set) var recordOffset = 0
    /// The record was longer than `maxRecordBytes` and was cut.
    public private(set) var oversized = false
    /// Bytes consumed so far (for progress).
    public var bytesRead: Int { offset + position }

    /// Opens a file; `-` reads standard input.
    public init(path: String, delimiter: UInt8? = nil, latin1: Bool = false, maxRecordBytes: Int = 1 << 20) throws(InputFileError) {
        if path == "-" {
            descriptor = 0
        } else {
            descriptor = open(path, O_RDONLY)
            guard descriptor >= 0 else { throw InputFileError(path: path, reason: String(cString: strerror(errno))) }
            var info = stat()
            if fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR {
                close(descriptor)
                throw InputFileError(path: path, reason: "it is a directory")
            }
        }
        self.file = path
        self.latin1 = latin1
        self.maxRecordBytes = maxRecordBytes
        self.delimiter = delimiter ?? UInt8(ascii: ",")
        chunk = [UInt8](repeating: 0, count: 1 << 20)
        data.reserveCapacity(4096)
        raw.reserveCapacity(4096)
        refill()
        // A UTF-8 byte-order mark is dropped.
        if filled >= 3, chunk[0] == 0xEF, chunk[1] == 0xBB, chunk[2] == 0xBF { position = 3 }
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

    /// Field `i` as a `String` (nil when out of range).
    public func string(_ i: Int) -> String? {
        guard i < fieldEnds.count else { return nil }
        return withField(i) { String(decoding: $0, as: UTF8.self) }
    }

    /// The byte offset in the file of the first byte of the record that is not
    /// valid UTF-8, or nil when the record is valid.
    public func invalidUTF8Offset() -> Int? {
        raw.withUnsafeBufferPointer { bytes -> Int? in
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
                    return recordOffset + i
                }
                guard i + length <= n else { return recordOffset + i }
                for k in 1..<length where bytes[i + k] & 0xC0 != 0x80 { return recordOffset + i }
                if length == 3 {
                    let c1 = bytes[i + 1]
                    if (b == 0xE0 && c1 < 0xA0) || (b == 0xED && c1 >= 0xA0) { return recordOffset + i }
                } else if length == 4 {
                    let c1 = bytes[i + 1]
                    if (b == 0xF0 && c1 < 0x90) || (b == 0xF4 && c1 >= 0x90) { return recordOffset + i }
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

    @inline(__always)
    private func byte() -> UInt8? {
        if position == filled {
            refill()
            if position == filled { return nil }
        }
        let b = chunk[position]
        position += 1
        return b
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

    private func readRecord() throws(CSVError) -> Bool {
        data.removeAll(keepingCapacity: true)
        fieldEnds.removeAll(keepingCapacity: true)
        raw.removeAll(keepingCapacity: true)
        oversized = false
        rawHadQuote = false
        line = nextLine
        recordOffset = bytesRead
        let delimiter = self.delimiter
        guard var b = byte() else { return false }
        while true {
            // One field. `b` is its first byte.
            if b == 34 {
                rawHadQuote = true
                keep(b)
                while true {
                    guard let c = byte() else { throw CSVError(file: file, line: line, kind: .unterminatedQuote) }
                    keep(c)
                    if c == 34 {
                        guard let d = byte() else {
                            fieldEnds.append(data.count)
                            return true
                        }
                        if d == 34 {
                            keep(d)
                            append(34)
                            continue
                        }
                        b = d
                        break
                    }
                    if c == 10 { nextLine += 1 }
                    append(c)
                }
                // After the closing quote: tolerate stray bytes up to the delimiter (lenient, like most readers).
                while b != delimiter && b != 10 && b != 13 {
                    keep(b)
                    append(b)
                    guard let c = byte() else {
                        fieldEnds.append(data.count)
                        return true
                    }
                    b = c
                }
            } else {
                while b != delimiter && b != 10 && b != 13 {
                    keep(b)
                    append(b)
                    guard let c = byte() else {
                        fieldEnds.append(data.count)
                        return true
                    }
                    b = c
                }
            }
            fieldEnds.append(data.count)
            if b == delimiter {
                keep(b)
                guard let c = byte() else {
                    fieldEnds.append(data.count)
                    return true
                }
                if c == 10 || c == 13 {
                    fieldEnds.append(data.count)
                    b = c
                } else {
                    b = c
                    continue
                }
            }
            // End of record: CR, LF or CRLF.
            nextLine += 1
            if b == 13 {
                if let c = byte(), c != 10 { position -= 1 }
            }
            return true
        }
    }

    @inline(__always)
    private func keep(_ b: UInt8) {
        if raw.count < maxRecordBytes { raw.append(b) } else { oversized = true }
    }

    @inline(__always)
    private func append(_ b: UInt8) {
        if data.count < maxRecordBytes { data.append(b) } else { oversized = true }
    }
}
