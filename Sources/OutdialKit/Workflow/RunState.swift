/// A run's place in its workflow and the few values it carries.
struct RunState {
    var position: [Int]
    var context: [String: Int64]

    /// To the next step at the same level.
    mutating func next() { position[position.count - 1] += 1 }

    /// Into the then (0) or else (1) branch of the `if` at the position.
    mutating func enter(branch: Int) { position += [branch, 0] }

    /// Out of a finished branch to the step after its `if`; false at the top.
    mutating func leaveBranch() -> Bool {
        guard position.count >= 3 else { return false }
        position.removeLast(2)
        next()
        return true
    }

    var positionJSON: String { "[" + position.map(String.init).joined(separator: ",") + "]" }

    var contextJSON: String {
        "{" + context.keys.sorted().map { "\"\($0)\":\(context[$0]!)" }.joined(separator: ",") + "}"
    }

    static func path(_ text: String) -> [Int] {
        let digits = text.split(whereSeparator: { !$0.isNumber && $0 != "-" }).compactMap { Int($0) }
        return digits.isEmpty ? [0] : digits
    }

    /// `{"call_id":12,"wait_until":1795622400}`: the flat object of integers `contextJSON` writes.
    static func context(_ text: String) -> [String: Int64] {
        var result: [String: Int64] = [:]
        for pair in text.dropFirst().dropLast().split(separator: ",") {
            let kv = pair.split(separator: ":", maxSplits: 1)
            guard kv.count == 2, let value = Int64(kv[1]) else { continue }
            result[String(kv[0].filter { $0 != "\"" })] = value
        }
        return result
    }
}
