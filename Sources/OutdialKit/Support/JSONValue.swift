/// A JSON value with ordered object keys, for stable machine output (SPEC §3.1).
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([(String, JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.int(let a), .int(let b)): return a == b
        case (.double(let a), .double(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)): return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }

    /// Text, or null.
    public static func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }

    /// Compact JSON text.
    public var rendered: String {
        var bytes: [UInt8] = []
        write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends compact JSON to a byte buffer.
    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let b): out += Array((b ? "true" : "false").utf8)
        case .int(let i): out += Array(String(i).utf8)
        case .double(let d): out += Array((d.isFinite ? String(d) : "null").utf8)
        case .string(let s): JSONValue.writeString(s, to: &out)
        case .array(let items):
            out.append(91)
            for (i, item) in items.enumerated() {
                if i > 0 { out.append(44) }
                item.write(to: &out)
            }
            out.append(93)
        case .object(let pairs):
            out.append(123)
            for (i, (key, value)) in pairs.enumerated() {
                if i > 0 { out.append(44) }
                JSONValue.writeString(key, to: &out)
                out.append(58)
                value.write(to: &out)
            }
            out.append(125)
        }
    }

    /// Appends a JSON string literal, escaping per RFC 8259.
    public static func writeString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { writeString(bytes: $0, to: &out) }
    }

    /// A JSON string literal from UTF-8 bytes, escaping per RFC 8259; runs
    /// that need no escaping are copied at once.
    public static func writeString(bytes: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        out.append(34)
        var run = 0
        for i in 0..<bytes.count {
            let byte = bytes[i]
            guard byte < 32 || byte == 34 || byte == 92 else { continue }
            if i > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<i])) }
            run = i + 1
            switch byte {
            case 34: out.append(contentsOf: [92, 34])
            case 92: out.append(contentsOf: [92, 92])
            case 10: out.append(contentsOf: [92, 110])
            case 13: out.append(contentsOf: [92, 114])
            case 9: out.append(contentsOf: [92, 116])
            default:
                let hex: StaticString = "0123456789abcdef"
                out.append(contentsOf: [92, 117, 48, 48, hex.utf8Start[Int(byte >> 4)], hex.utf8Start[Int(byte & 15)]])
            }
        }
        if bytes.count > run { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[run..<bytes.count])) }
        out.append(34)
    }
}

/// Builds an ordered JSON object from a literal list of pairs.
public func JSONObject(_ pairs: KeyValuePairs<String, JSONValue>) -> JSONValue {
    .object(pairs.map { ($0.key, $0.value) })
}
