/// The type of an option's or argument's value, validated while parsing so a
/// bad value is a usage error (exit 64) that names the option.
public enum ValueKind: Sendable, Equatable {
    /// Any text.
    case string
    /// A file path (completion scripts offer files).
    case path
    /// A whole number, optionally within a range.
    case integer(ClosedRange<Int>?)
    /// A duration such as `90s`, `10m`, `4h` or `1h30m`.
    case duration
    /// An ISO 8601 instant with an offset or `Z`.
    case instant
    /// One of a fixed set of words.
    case choice([String])

    /// Checks a raw value, returning the reason it is invalid, if it is.
    func validate(_ raw: String) -> String? {
        switch self {
        case .string, .path:
            return nil
        case .integer(let range):
            guard let value = Int(raw) else { return "expected a whole number" }
            if let range, !range.contains(value) {
                return "expected a number from \(range.lowerBound) to \(range.upperBound)"
            }
            return nil
        case .duration:
            do { _ = try TimeSpan(parsing: raw) } catch { return error.reason }
            return nil
        case .instant:
            do { _ = try Instant(commandLine: raw) } catch { return error.reason }
            return nil
        case .choice(let words):
            return words.contains(raw) ? nil : "expected one of " + words.map { "'\($0)'" }.joined(separator: ", ")
        }
    }
}
