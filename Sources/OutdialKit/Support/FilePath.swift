/// The two halves of a file path, for the files outdial writes beside
/// another (a database's `-wal`, a lead file's rejects, a temporary file
/// renamed into place).
enum FilePath {
    /// The folder holding `path`: "." for a bare name, "/" for a file at the root.
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The last component of `path`.
    static func name(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }
}
