/// A CSV file that cannot be read as a whole (exit 65). Problems confined to
/// one row are rejects, not errors.
public struct CSVError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        /// A quoted field opened on `line` never closes.
        case unterminatedQuote
        /// The file is empty, or has a header and no rows where rows are needed.
        case empty
        /// The header lacks a required column.
        case missingColumn(String, found: [String])
        /// The header itself is unusable.
        case badHeader(String)
    }

    public var file: String
    public var line: Int
    public var kind: Kind

    public init(file: String, line: Int, kind: Kind) {
        self.file = file
        self.line = line
        self.kind = kind
    }

    public var description: String {
        switch kind {
        case .unterminatedQuote:
            return "\(file):\(line): a quoted field opened on this line never closes (is a closing '\"' missing?)"
        case .empty:
            return "\(file): the file is empty; expected a header row naming the columns"
        case .missingColumn(let column, let found):
            let list = found.isEmpty ? "none" : found.map { "'\($0)'" }.joined(separator: ", ")
            return "\(file):\(line): no \(column) column; the header has \(list). Name one of them with --map COLUMN=\(column)."
        case .badHeader(let reason):
            return "\(file):\(line): \(reason)"
        }
    }
}
