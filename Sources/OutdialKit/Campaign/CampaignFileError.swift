/// A campaign file that cannot be used (exit 65): where, and what was expected.
/// The problems found in the same pass after the first are in `others`, so an
/// operator fixes them all at once instead of one run of `check` each.
public struct CampaignFileError: Error, Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    /// The file's other problems, in file order.
    public var others: [CampaignFileError] = []

    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// The first problem and the others as one error, in file order; nil when there are none.
    static func combined(_ problems: [CampaignFileError]) -> CampaignFileError? {
        let sorted = problems.sorted { ($0.line, $0.column) < ($1.line, $1.column) }
        guard var first = sorted.first else { return nil }
        first.others = Array(sorted.dropFirst())
        return first
    }

    /// Every problem, the first one included.
    public var all: [CampaignFileError] {
        var head = self
        head.others = []
        return [head] + others
    }

    public var description: String { all.map { "\($0.file):\($0.line):\($0.column): \($0.message)" }.joined(separator: "\n") }
}
