/// A text with `{{variable}}` holes, `| default: "…"` fallbacks, and nothing
/// else: templates never run code.
public struct Template: Sendable, Equatable {
    public enum Part: Sendable, Equatable {
        case text(String)
        case variable(path: String, fallback: String?)
    }

    public var parts: [Part]

    /// The variables a template may name: `lead.NAME`, `lead.fields.NAME`,
    /// `call.NAME`, `call.custom.NAME`, `message.text` and the like.
    public static let leadFields: Set<String> = [
        "id", "phone", "first_name", "last_name", "name", "email", "state", "zip", "country", "timezone", "status", "tags",
    ]
    public static let callFields: Set<String> = [
        "call_id", "provider", "provider_call_id", "connection", "agent_id", "attempt", "direction", "from_number", "to_number", "status",
        "outcome", "disconnection_reason", "duration_ms", "transcript", "recording_url", "public_log_url", "summary", "sentiment",
        "call_successful", "in_voicemail", "user_spoke", "transfer_to", "cost_cents", "error_message", "selection_tier", "queued_at",
        "started_at", "ended_at",
    ]
    public static let messageFields: Set<String> = ["text", "channel", "from", "to"]

    /// Why a variable path is unknown, or nil when it is fine.
    public static func problem(with path: String) -> String? {
        let parts = path.split(separator: ".").map(String.init)
        guard parts.count >= 2 else { return "'\(path)' is not a variable (lead.first_name, call.summary, message.text …)" }
        switch parts[0] {
        case "lead":
            if parts[1] == "fields" { return parts.count == 3 ? nil : "'\(path)' needs a field name: lead.fields.NAME" }
            return parts.count == 2 && leadFields.contains(parts[1])
                ? nil : "'\(path)' is not a lead field (\(leadFields.sorted().joined(separator: ", ")), fields.NAME)"
        case "call":
            if parts[1] == "custom" { return parts.count == 3 ? nil : "'\(path)' needs a name: call.custom.NAME" }
            return parts.count == 2 && callFields.contains(parts[1]) ? nil : "'\(path)' is not a call field"
        case "message":
            return parts.count == 2 && messageFields.contains(parts[1]) ? nil : "'\(path)' is not a message field (text, channel, from, to)"
        default:
            return "'\(path)' is not a variable: variables start with lead., call. or message."
        }
    }

    /// Parses a template; unknown variables and broken braces are errors.
    public init(parsing text: String) throws(WorkflowError) {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else { throw WorkflowError("'{{' without a closing '}}' in \"\(text)\"") }
            let inner = rest[open.upperBound..<close.lowerBound]
            let pieces = inner.split(separator: "|", maxSplits: 1).map { String($0).trimmingSpaces() }
            let path = pieces[0]
            if let problem = Self.problem(with: path) { throw WorkflowError("unknown template variable: \(problem)") }
            var fallback: String?
            if pieces.count == 2 {
                let filter = pieces[1]
                guard filter.hasPrefix("default:") else { throw WorkflowError("'| \(filter)' is not a filter; the only one is '| default: \"…\"'") }
                var value = String(filter.dropFirst("default:".count)).trimmingSpaces()
                if value.count >= 2, value.first == "\"" || value.first == "'", value.last == value.first { value = String(value.dropFirst().dropLast()) }
                fallback = value
            }
            parts.append(.variable(path: path, fallback: fallback))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    /// The variables the template names.
    public var variables: [String] { parts.compactMap { if case .variable(let p, _) = $0 { return p } else { return nil } } }

    /// Fills the holes; a missing value becomes its fallback or nothing.
    public func render(_ lookup: (String) -> String?) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .variable(let path, let fallback):
                let value = lookup(path)
                out += (value?.isEmpty == false ? value : nil) ?? fallback ?? ""
            }
        }
        return out
    }
}

/// A workflow that cannot be used, or a lint finding.
public struct WorkflowError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
