#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes rejected rows to a CSV (`line,reason,row`): the original row as it
/// stood in the file, its line number and why it was not imported. The file
/// is written beside its place and put there by `close()`, which the import
/// calls before it commits: no rejects file, no import.
final class RejectsWriter {
    let file: OutputFile
    var path: String { file.path }
    private var buffer: [UInt8] = []
    private(set) var count = 0

    let header: String

    init(file: OutputFile, header: String = "line,reason,row") {
        self.file = file
        self.header = header
    }

    func write(line: Int, reason: String, raw: [UInt8]) throws(OutputFileError) {
        if count == 0 { buffer += Array((header + "\n").utf8) }
        buffer += Array(String(line).utf8)
        buffer.append(44)
        Self.quote(Array(reason.utf8), into: &buffer)
        buffer.append(44)
        var trimmed = raw[...]
        while let last = trimmed.last, last == 10 || last == 13 { trimmed = trimmed.dropLast() }
        Self.quote(Array(trimmed), into: &buffer)
        buffer.append(10)
        count += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    private func flush() throws(OutputFileError) {
        try file.write(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Puts the file in place (when there was a reject).
    func close() throws(OutputFileError) {
        guard count > 0 else { return }
        try flush()
        try file.commit()
    }

    /// RFC 4180 quoting.
    static func quote(_ field: [UInt8], into out: inout [UInt8]) {
        out.append(34)
        for b in field {
            if b == 34 { out.append(34) }
            out.append(b)
        }
        out.append(34)
    }
}
