#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes rejected rows to a CSV (`line,reason,row`): the original row as it
/// stood in the file, its line number and why it was not imported. The file is
/// created on the first reject only.
final class RejectsWriter {
    let path: String
    private var handle: UnsafeMutablePointer<FILE>?
    private(set) var count = 0

    init(path: String) { self.path = path }

    deinit { if let handle { fclose(handle) } }

    func write(line: Int, reason: String, raw: [UInt8]) throws(OutputFileError) {
        if handle == nil {
            guard let opened = fopen(path, "w") else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
            handle = opened
            fputs("line,reason,row\n", opened)
        }
        var row = Array(String(line).utf8)
        row.append(44)
        Self.quote(Array(reason.utf8), into: &row)
        row.append(44)
        var trimmed = raw[...]
        while let last = trimmed.last, last == 10 || last == 13 { trimmed = trimmed.dropLast() }
        Self.quote(Array(trimmed), into: &row)
        row.append(10)
        fwrite(row, 1, row.count, handle)
        count += 1
    }

    func close() throws(OutputFileError) {
        guard let handle else { return }
        self.handle = nil
        if fclose(handle) != 0 { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
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
