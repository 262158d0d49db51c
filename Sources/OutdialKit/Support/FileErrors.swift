#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An input file that cannot be opened or read (exit 66).
public struct InputFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): cannot open: \(reason)" }

    /// Checks, before anything opens it, that `path` is a regular file (a FIFO
    /// with no writer would block the open forever); returns its size.
    @discardableResult
    static func requireRegularFile(_ path: String) throws(InputFileError) -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else { throw InputFileError(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) != S_IFDIR else { throw InputFileError(path: path, reason: "it is a directory") }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw InputFileError(path: path, reason: "not a regular file") }
        return Int(info.st_size)
    }
}

/// An output file that cannot be written (exit 74).
public struct OutputFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): cannot write: \(reason)" }
}
