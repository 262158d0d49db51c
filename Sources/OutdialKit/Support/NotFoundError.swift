/// Something the user named is not in the database (exit 1).
public struct NotFoundError: Error, Equatable, Sendable, CustomStringConvertible {
    public var what: String
    public var key: String
    public init(what: String, key: String) {
        self.what = what
        self.key = key
    }
    public var description: String { "no \(what) matches '\(key)'" }
}
