#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An output path refused before anything starts (exit 64): the database or
/// an input of the same command, a symbolic link, something that is not a
/// regular file, or a file that exists when the command may not replace it.
public struct OutputPathError: Error, Equatable, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): will not write here: \(reason)" }
}

extension OutputPathError: CommandError { public var exitCode: ExitCode { .usage } }

/// A file outdial writes (`--out`, a rejects file): checked before the
/// command starts, written to a temporary file in the same directory and
/// renamed into place only when complete, so a failed or interrupted command
/// leaves whatever was there before. docs/cli.md, "Files outdial writes".
public final class OutputFile {
    public let path: String
    private var temporary: String?
    private var descriptor: Int32 = -1
    private var committed = false

    /// A file that must never be written over: its device and inode.
    public struct Protected: Sendable {
        let device: UInt64
        let inode: UInt64
        let what: String

        /// `path` if it exists (a file that does not exist cannot be written over by accident).
        public init?(_ path: String, what: String) {
            var info = stat()
            guard !path.isEmpty, stat(path, &info) == 0 else { return nil }
            device = UInt64(info.st_dev)
            inode = UInt64(info.st_ino)
            self.what = what
        }

        /// The database and the files SQLite keeps beside it.
        public static func database(_ path: String) -> [Protected] {
            [
                Protected(path, what: "the database"), Protected(path + "-wal", what: "the database's log"),
                Protected(path + "-shm", what: "the database's shared memory"),
            ].compactMap { $0 }
        }
    }

    /// Checks `path`: refused when it is one of `protected`, a symbolic link,
    /// not a regular file, or exists while `replacing` is false.
    public init(path: String, protecting protected: [Protected], replacing: Bool) throws(OutputPathError) {
        self.path = path
        guard !path.isEmpty else { throw OutputPathError(path: path, reason: "the path is empty") }
        var info = stat()
        if lstat(path, &info) == 0 {
            if (info.st_mode & S_IFMT) == S_IFLNK {
                throw OutputPathError(path: path, reason: "it is a symbolic link; outdial does not write through links (name the file itself)")
            }
            for file in protected where UInt64(info.st_dev) == file.device && UInt64(info.st_ino) == file.inode {
                throw OutputPathError(path: path, reason: "it is \(file.what)")
            }
            guard (info.st_mode & S_IFMT) == S_IFREG else { throw OutputPathError(path: path, reason: "it is not a regular file") }
            guard replacing else { throw OutputPathError(path: path, reason: "the file exists; add --force to replace it") }
        }
    }

    deinit { discard() }

    /// Writes bytes to the temporary file (created on the first write).
    public func write(_ bytes: UnsafeRawBufferPointer) throws(OutputFileError) {
        let fd = try open()
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputFileError(path: path, reason: String(cString: strerror(errno)))
            }
            offset += n
        }
    }

    public func write(_ bytes: [UInt8]) throws(OutputFileError) {
        let failure: OutputFileError? = bytes.withUnsafeBytes { buffer in
            do throws(OutputFileError) {
                try write(buffer)
                return nil
            } catch { return error }
        }
        if let failure { throw failure }
    }

    /// The descriptor of the temporary file, for writers that take one.
    public func open() throws(OutputFileError) -> Int32 {
        if descriptor >= 0 { return descriptor }
        var template = Array("\(FilePath.folder(of: path))/.\(FilePath.name(of: path)).outdial-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else { throw OutputFileError(path: path, reason: String(cString: strerror(errno))) }
        fchmod(fd, 0o644)
        descriptor = fd
        temporary = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return fd
    }

    /// Puts the complete file in place (nothing is written when nothing was).
    public func commit() throws(OutputFileError) {
        guard let temporary, descriptor >= 0 else { return }
        let failed = fsync(descriptor) != 0 || close(descriptor) != 0
        descriptor = -1
        if failed || rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            self.temporary = nil
            throw OutputFileError(path: path, reason: reason)
        }
        self.temporary = nil
        committed = true
    }

    /// Drops the temporary file: what was at `path` stays as it was.
    public func discard() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        if let temporary { unlink(temporary) }
        temporary = nil
    }
}
