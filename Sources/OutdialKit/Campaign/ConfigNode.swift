import Yams

/// A node of a campaign file with its place (file, line, column) and its path
/// from the root (`calling_window.hours`), so every complaint says where.
struct ConfigNode {
    let node: Node
    let file: String
    let path: String

    var line: Int { node.mark?.line ?? 1 }
    var column: Int { node.mark?.column ?? 1 }

    func error(_ message: String) -> CampaignFileError {
        CampaignFileError(file: file, line: line, column: column, message: message)
    }

    private var name: String { path.isEmpty ? "the file" : "'\(path)'" }

    /// The mapping's entries in order; any key outside `allowed` is an error
    /// (with a suggestion when one is close), as is a key given twice.
    func mapping(allowed: [String]) throws -> [(key: String, value: ConfigNode)] {
        let problems = CampaignProblems()
        let entries = try mapping(allowed: allowed, problems: problems)
        if let first = problems.list.first { throw first }
        return entries
    }

    /// `mapping(allowed:)` that goes on past an unknown or repeated key: the
    /// problem is kept in `problems` and the entry left out.
    func mapping(allowed: [String], problems: CampaignProblems) throws -> [(key: String, value: ConfigNode)] {
        guard case .mapping(let mapping) = node else {
            var message = "\(name) must be a mapping of keys to values (\(allowed.joined(separator: ", ")))"
            // `leads: leads.csv` means the file: say how to write it.
            if case .scalar(let scalar) = node, allowed.contains("file") { message += "; for a file, write { file: \(scalar.string) }" }
            throw error(message)
        }
        var result: [(String, ConfigNode)] = []
        var seen = Set<String>()
        for (keyNode, value) in mapping {
            let place = ConfigNode(node: keyNode, file: file, path: path)
            guard case .scalar(let scalar) = keyNode else { throw error("\(name) has a key that is not a plain word") }
            let key = scalar.string
            guard allowed.contains(key) else {
                let hint = Suggestion.closest(to: key, in: allowed).map { "; did you mean '\($0)'?" } ?? "; expected one of \(allowed.joined(separator: ", "))"
                problems.list.append(place.error("unknown key '\(key)' in \(name)\(hint)"))
                continue
            }
            guard seen.insert(key).inserted else {
                problems.list.append(place.error("'\(key)' appears twice in \(name)"))
                continue
            }
            result.append((key, ConfigNode(node: value, file: file, path: path.isEmpty ? key : path + "." + key)))
        }
        return result
    }

    /// A mapping whose keys are free (names of connections, days).
    func freeMapping() throws -> [(key: String, value: ConfigNode)] {
        guard case .mapping(let mapping) = node else { throw error("\(name) must be a mapping") }
        return try mapping.map { keyNode, value in
            guard case .scalar(let scalar) = keyNode else { throw error("\(name) has a key that is not a plain word") }
            return (scalar.string, ConfigNode(node: value, file: file, path: path + "." + scalar.string))
        }
    }

    func string() throws -> String {
        guard case .scalar(let scalar) = node else { throw error("\(name) must be a single value") }
        return scalar.string
    }

    func int(_ range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(try string()), range.contains(value) else {
            throw error("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A finite number within `range` (`inf`, `nan` and hex floats are refused).
    func double(_ range: ClosedRange<Double>) throws -> Double {
        let text = try string()
        guard text.utf8.allSatisfy({ $0 == 46 || $0 == 45 || $0 == 43 || (48...57).contains($0) }), let value = Double(text), value.isFinite,
            range.contains(value)
        else { throw error("\(name) must be a number from \(Self.plain(range.lowerBound)) to \(Self.plain(range.upperBound))") }
        return value
    }

    private static func plain(_ value: Double) -> String { value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value) }

    func duration() throws -> TimeSpan {
        let text = try string()
        do { return try TimeSpan(parsing: text) } catch { throw self.error("\(name): '\(text)' is not a duration: \(error.reason)") }
    }

    func bool() throws -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("\(name) must be true or false")
        }
    }

    /// A list, or a single value taken as a list of one.
    func list() throws -> [ConfigNode] {
        if case .sequence(let sequence) = node {
            return sequence.enumerated().map { ConfigNode(node: $1, file: file, path: path + "[\($0)]") }
        }
        return [self]
    }

    /// `09:00-20:00`.
    func minuteRange() throws -> MinuteRange {
        let text = try string()
        let parsed = Result { () throws(WindowSpecError) in try MinuteRange(parsing: text) }
        switch parsed {
        case .success(let range): return range
        case .failure(let failure): throw error(failure.message)
        }
    }

    /// `mon`, `mon-fri` as weekday indices.
    func weekdays(_ text: String) throws -> [Int] {
        let parsed = Result { () throws(WindowSpecError) in try WeeklyHours.days(text) }
        switch parsed {
        case .success(let days): return days
        case .failure(let failure): throw error(failure.message)
        }
    }

    var isMapping: Bool { if case .mapping = node { return true } else { return false } }
}

/// The problems found while reading a campaign file, kept so that reading
/// goes on with the next part and every problem is told at once.
final class CampaignProblems {
    var list: [CampaignFileError] = []

    /// Runs `body`; a problem it finds in the file is kept and the caller goes
    /// on with the next part of the file.
    func collect(_ body: () throws -> Void) rethrows {
        do { try body() } catch let problem as CampaignFileError { list.append(problem) }
    }
}
