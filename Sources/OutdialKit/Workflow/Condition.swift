/// A structured condition: `{ field: F, is|is_not|in|gt|gte|lt|lte|contains|exists: V }`,
/// combined with `all:`, `any:`, `not:`.
public indirect enum Condition: Sendable, Equatable {
    case compare(field: String, op: Operator, value: ConditionValue)
    case all([Condition])
    case any([Condition])
    case not(Condition)

    public enum Operator: String, Sendable, CaseIterable {
        case `is`, isNot = "is_not", `in`, gt, gte, lt, lte, contains, exists
    }

    /// Evaluates against a lookup of field paths to values (nil: missing).
    public func evaluate(_ lookup: (String) -> ConditionValue?) -> Bool {
        switch self {
        case .all(let list): return list.allSatisfy { $0.evaluate(lookup) }
        case .any(let list): return list.contains { $0.evaluate(lookup) }
        case .not(let c): return !c.evaluate(lookup)
        case .compare(let field, let op, let value):
            let actual = lookup(field)
            switch op {
            case .exists: return (actual != nil && actual != .null) == (value == .bool(true))
            case .is: return actual.map { $0.matches(value) } ?? (value == .null)
            case .isNot: return !(actual.map { $0.matches(value) } ?? (value == .null))
            case .in:
                guard case .list(let options) = value, let actual else { return false }
                return options.contains { actual.matches($0) }
            case .contains:
                guard let actual else { return false }
                if case .list(let items) = actual { return items.contains { $0.matches(value) } }
                return actual.text.lowercased().contains(value.text.lowercased())
            case .gt, .gte, .lt, .lte:
                guard let a = actual?.number, let b = value.number else { return false }
                switch op {
                case .gt: return a > b
                case .gte: return a >= b
                case .lt: return a < b
                default: return a <= b
                }
            }
        }
    }

    /// Every field path the condition reads.
    public var fields: [String] {
        switch self {
        case .compare(let field, _, _): return [field]
        case .all(let list), .any(let list): return list.flatMap(\.fields)
        case .not(let c): return c.fields
        }
    }
}

/// A value in a condition or a record: text, number, true/false, null or a list.
public enum ConditionValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case text(String)
    case list([ConditionValue])

    /// From a YAML scalar's text: `true`, `12`, `positive`.
    public init(scalar: String) {
        switch scalar.lowercased() {
        case "true", "yes": self = .bool(true)
        case "false", "no": self = .bool(false)
        case "null", "~": self = .null
        default: self = Double(scalar).map(ConditionValue.number) ?? .text(scalar)
        }
    }

    var number: Double? {
        switch self {
        case .number(let d): return d
        case .text(let t): return Double(t)
        case .bool(let b): return b ? 1 : 0
        default: return nil
        }
    }

    var text: String {
        switch self {
        case .null: return ""
        case .bool(let b): return b ? "true" : "false"
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .text(let t): return t
        case .list(let l): return l.map(\.text).joined(separator: ", ")
        }
    }

    /// Equality that lets `"3"` match `3` and `"TRUE"` match `true`.
    func matches(_ other: ConditionValue) -> Bool {
        switch (self, other) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a == b
        default:
            if let a = number, let b = other.number, case .text = self, case .number = other { return a == b }
            return text.lowercased() == other.text.lowercased() && self != .null && other != .null
        }
    }
}
