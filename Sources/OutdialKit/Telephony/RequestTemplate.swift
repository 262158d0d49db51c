import Yams

/// A text of the generic HTTP connection with `{{…}}` holes: `lead.NAME`,
/// `lead.fields.NAME`, `call.id|from|to|attempt|agent|campaign|provider_call_id`,
/// `var.NAME` (the call's variables) and `env.NAME` (an environment variable,
/// for tokens); in a `messages:` form, `message.id|to|from|text|channel|kind|lead_id`
/// with `lead.` and `env.`. Nothing else: templates never run code.
public struct RequestTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case text(String)
        case hole(namespace: String, name: String)
    }

    var parts: [Part]

    static let callNames: Set<String> = ["id", "from", "to", "attempt", "agent", "campaign", "provider_call_id", "lead_id"]
    static let leadNames: Set<String> = ["id", "phone", "first_name", "last_name", "name", "email", "state", "zip", "country"]
    static let messageNames: Set<String> = ["id", "to", "from", "text", "channel", "kind", "lead_id"]
    /// The namespaces a call's form may use, and a message's.
    public static let callNamespaces: Set<String> = ["lead", "call", "env", "var"]
    public static let messageNamespaces: Set<String> = ["lead", "message", "env"]

    init(_ node: ConfigNode, namespaces: Set<String> = callNamespaces) throws {
        do { try self.init(parsing: try node.string(), namespaces: namespaces) } catch let error as RequestTemplateError { throw node.error(error.message) }
    }

    public init(parsing text: String, namespaces: Set<String> = callNamespaces) throws {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            if open.lowerBound > rest.startIndex { parts.append(.text(String(rest[..<open.lowerBound]))) }
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw RequestTemplateError(message: "'{{' without a closing '}}' in \"\(text)\"")
            }
            let path = String(rest[open.upperBound..<close.lowerBound]).trimmingSpaces()
            let pieces = path.split(separator: ".", maxSplits: 1).map(String.init)
            guard pieces.count == 2 else { throw RequestTemplateError(message: "'{{\(path)}}' is not a variable (lead.phone, call.from, env.NAME …)") }
            let (namespace, name) = (pieces[0], pieces[1])
            guard namespaces.contains(namespace) else {
                throw RequestTemplateError(
                    message: "'{{\(path)}}' is not a variable here: they start with \(namespaces.sorted().map { $0 + "." }.joined(separator: ", "))")
            }
            switch namespace {
            case "lead":
                guard Self.leadNames.contains(name) || (name.hasPrefix("fields.") && name.count > 7) else {
                    throw RequestTemplateError(message: "'{{\(path)}}': lead has \(Self.leadNames.sorted().joined(separator: ", ")) and fields.NAME")
                }
            case "call":
                guard Self.callNames.contains(name) else {
                    throw RequestTemplateError(message: "'{{\(path)}}': call has \(Self.callNames.sorted().joined(separator: ", "))")
                }
            case "env":
                guard Campaign.isVariableName(name) else { throw RequestTemplateError(message: "'{{\(path)}}' does not name an environment variable") }
            case "var": break
            case "message":
                guard Self.messageNames.contains(name) else {
                    throw RequestTemplateError(message: "'{{\(path)}}': message has \(Self.messageNames.sorted().joined(separator: ", "))")
                }
            default: throw RequestTemplateError(message: "'{{\(path)}}' is not a variable: they start with lead., call., var. or env.")
            }
            parts.append(.hole(namespace: namespace, name: name))
            rest = rest[close.upperBound...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    var environmentVariables: [String] {
        parts.compactMap { if case .hole("env", let name) = $0 { return name } else { return nil } }
    }

    /// The `{{env.NAME}}` variables of some templates, each once, in order.
    static func environmentVariables(in templates: [RequestTemplate]) -> [String] {
        var names: [String] = []
        for name in templates.flatMap(\.environmentVariables) where !names.contains(name) { names.append(name) }
        return names
    }

    /// The text with its holes filled; a hole with no value is empty.
    func render(_ values: (String, String) -> String?) -> String {
        var out = ""
        for part in parts {
            switch part {
            case .text(let text): out += text
            case .hole(let namespace, let name): out += values(namespace, name) ?? ""
            }
        }
        return out
    }

    /// A JSON body whose strings are templates (numbers, booleans and null are kept as written).
    public indirect enum Body: Sendable, Equatable {
        case template(RequestTemplate)
        case literal(JSONValue)
        case array([Body])
        case object([String], [Body])

        init(_ node: ConfigNode, namespaces: Set<String> = RequestTemplate.callNamespaces) throws {
            switch node.node {
            case .mapping:
                var keys: [String] = []
                var values: [Body] = []
                for (key, value) in try node.freeMapping() {
                    keys.append(key)
                    values.append(try Body(value, namespaces: namespaces))
                }
                self = .object(keys, values)
            case .sequence: self = .array(try node.list().map { try Body($0, namespaces: namespaces) })
            case .scalar(let scalar):
                if scalar.style == .plain {
                    if scalar.string == "null" || scalar.string == "~" {
                        self = .literal(.null)
                        return
                    }
                    if scalar.string == "true" || scalar.string == "false" {
                        self = .literal(.bool(scalar.string == "true"))
                        return
                    }
                    if let int = Int64(scalar.string) {
                        self = .literal(.int(int))
                        return
                    }
                }
                self = .template(try RequestTemplate(node, namespaces: namespaces))
            default: throw node.error("a body value must be text, a number, a list or a mapping")
            }
        }

        var templates: [RequestTemplate] {
            switch self {
            case .template(let t): return [t]
            case .literal: return []
            case .array(let items): return items.flatMap(\.templates)
            case .object(_, let values): return values.flatMap(\.templates)
            }
        }

        func render(_ values: (String, String) -> String?) -> JSONValue {
            switch self {
            case .template(let t): return .string(t.render(values))
            case .literal(let v): return v
            case .array(let items): return .array(items.map { $0.render(values) })
            case .object(let keys, let items): return .object(zip(keys, items.map { $0.render(values) }).map { ($0, $1) })
            }
        }
    }
}

struct RequestTemplateError: Error {
    var message: String
}
