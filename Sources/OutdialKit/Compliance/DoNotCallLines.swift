#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The lines of a do-not-call file, read a block at a time whatever its size:
/// UTF-8 (with or without a byte-order mark) or UTF-16 with its byte-order
/// mark, decoded; a line over `longest` bytes is cut there and flagged, so
/// memory stays bounded on any input (a file of NULs, one endless line).
struct DoNotCallLines {
    struct Line {
        var number: Int
        var text: String
        /// Why the line cannot be read as text, if it cannot.
        var problem: String?
    }

    static let longest = 1024

    private let fd: Int32
    private let closes: Bool
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0
    private var atEnd = false
    private var encoding: Encoding?
    private var lineNumber = 0

    enum Encoding { case utf8, utf16LE, utf16BE }

    /// Opens `path` (`-`: standard input); anything but a regular file or standard input is refused.
    init(path: String) throws(InputFileError) {
        if path == "-" {
            fd = 0
            closes = false
            return
        }
        try InputFileError.requireRegularFile(path)
        let opened = open(path, O_RDONLY)
        guard opened >= 0 else { throw InputFileError(path: path, reason: String(cString: strerror(errno))) }
        fd = opened
        closes = true
    }

    func close() { if closes { _ = Glibc.close(fd) } }

    /// Fills the buffer from the file; false at the end.
    private mutating func fill() -> Bool {
        if atEnd { return false }
        if start > 0 {
            buffer.withUnsafeMutableBufferPointer { b in
                for i in 0..<(end - start) { b[i] = b[start + i] }
            }
            end -= start
            start = 0
        }
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + end, $0.count - end) }
        if n <= 0 {
            atEnd = true
            return false
        }
        end += n
        return true
    }

    /// The next line, or nil at the end of the file.
    mutating func next() -> Line? {
        if encoding == nil {
            while end - start < 3, fill() {}
            encoding = .utf8
            if end - start >= 3, buffer[start] == 0xEF, buffer[start + 1] == 0xBB, buffer[start + 2] == 0xBF {
                start += 3
            } else if end - start >= 2, buffer[start] == 0xFF, buffer[start + 1] == 0xFE {
                encoding = .utf16LE
                start += 2
            } else if end - start >= 2, buffer[start] == 0xFE, buffer[start + 1] == 0xFF {
                encoding = .utf16BE
                start += 2
            }
        }
        let unit = encoding == .utf8 ? 1 : 2
        var bytes: [UInt8] = []
        var tooLong = false
        var sawAnything = false
        reading: while true {
            while end - start < unit {
                guard fill() else {
                    // A last line without its newline (an odd trailing byte of UTF-16 is dropped).
                    guard sawAnything else { return nil }
                    break reading
                }
            }
            sawAnything = true
            let isNewline: Bool
            switch encoding! {
            case .utf8: isNewline = buffer[start] == 10
            case .utf16LE: isNewline = buffer[start] == 10 && buffer[start + 1] == 0
            case .utf16BE: isNewline = buffer[start] == 0 && buffer[start + 1] == 10
            }
            if isNewline {
                start += unit
                break
            }
            if bytes.count < Self.longest * unit {
                bytes.append(contentsOf: buffer[start..<(start + unit)])
            } else {
                tooLong = true
            }
            start += unit
        }
        lineNumber += 1
        var text: String
        var problem: String?
        switch encoding! {
        case .utf8:
            if bytes.last == 13 { bytes.removeLast() }
            if bytes.contains(0) { problem = "holds NUL bytes (is it a text file?)" }
            if let decoded = String(validating: bytes, as: UTF8.self) {
                text = decoded
            } else {
                text = String(decoding: bytes, as: UTF8.self)
                problem = problem ?? "is not UTF-8 text (UTF-16 needs its byte-order mark)"
            }
        case .utf16LE, .utf16BE:
            let units = stride(from: 0, to: bytes.count - 1, by: 2).map {
                encoding == .utf16LE ? UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 : UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1])
            }
            text = String(decoding: units, as: UTF16.self)
            if text.hasSuffix("\r") { text.removeLast() }
            if units.contains(0) { problem = "holds NUL characters" }
        }
        if tooLong { problem = "is longer than \(Self.longest) characters" }
        return Line(number: lineNumber, text: text, problem: problem)
    }
}
