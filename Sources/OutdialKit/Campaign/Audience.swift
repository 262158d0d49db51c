/// `audience:` — whom a campaign enrols: leads in any of `lists`, with any of
/// `tags`, none of `exclude_tags`, in one of `states`, and matching `where`
/// (a workflow condition on `lead.*` fields). Every part given must hold.
public struct Audience: Sendable {
    public var lists: [String] = []
    public var tags: [String] = []
    public var excludeTags: [String] = []
    /// Two-letter codes, upper case.
    public var states: [String] = []
    public var condition: Condition?
    /// Where the file says `audience` and `lists` (line, column), for `check`.
    public var line = 1
    public var column = 1
    public var listsPlace: (line: Int, column: Int)?

    public init(lists: [String] = [], tags: [String] = [], excludeTags: [String] = [], states: [String] = [], condition: Condition? = nil) {
        self.lists = lists
        self.tags = tags
        self.excludeTags = excludeTags
        self.states = states
        self.condition = condition
    }

    init(_ node: ConfigNode, file: String) throws {
        line = node.line
        column = node.column
        for (key, value) in try node.mapping(allowed: ["lists", "tags", "exclude_tags", "states", "where"]) {
            switch key {
            case "lists":
                lists = try value.list().map { try $0.string() }
                listsPlace = (value.line, value.column)
            case "tags": tags = try value.list().map { try $0.string() }
            case "exclude_tags": excludeTags = try value.list().map { try $0.string() }
            case "states":
                states = try value.list().map { item in
                    let text = try item.string()
                    guard let code = NumberingPlan.shared.regionCode(text) else {
                        throw item.error("'\(text)' is not a US state or Canadian province (use its two-letter code, like TX or ON)")
                    }
                    return code
                }
            default:
                let condition = try WorkflowParser(file: file).parseCondition(value)
                if let field = condition.fields.first(where: { !$0.hasPrefix("lead.") }) {
                    throw value.error("an audience condition reads lead fields only (lead.state, lead.fields.NAME …), not '\(field)'")
                }
                self.condition = condition
            }
        }
    }

    /// Whether a lead (and the ids of the listed leads, when `lists` is given) is in the audience.
    func contains(_ lead: LeadRecord, listed: Set<Int64>) -> Bool {
        if !lists.isEmpty, !listed.contains(lead.id) { return false }
        if !tags.isEmpty, !lead.tags.contains(where: tags.contains) { return false }
        if lead.tags.contains(where: excludeTags.contains) { return false }
        if !states.isEmpty, !states.contains(lead.state ?? "") { return false }
        if let condition, !condition.evaluate({ RunSubject(lead: lead).value($0) }) { return false }
        return true
    }

    /// Whether one lead is in the audience.
    public func contains(leadID: Int64, in database: Database) throws -> Bool {
        guard let lead = try LeadStore(database: database).find(id: leadID) else { return false }
        let listed = try !lists.isEmpty && LeadLists(database: database).contains(leadID, inAnyOf: lists)
        return contains(lead, listed: listed ? [leadID] : [])
    }

    /// The audience's callable (not DNC) leads by state; every lead's without an audience.
    public static func states(of audience: Audience?, in database: Database) throws -> [String: Int] {
        guard let audience else {
            let rows = try database.query("SELECT state, count(*) FROM leads WHERE dnc = 0 AND state IS NOT NULL GROUP BY state") {
                ($0.string(0) ?? "", Int($0.int64(1)))
            }
            return Dictionary(rows, uniquingKeysWith: +)
        }
        let selected = Set(try audience.select(in: database))
        var counts: [String: Int] = [:]
        for (id, state) in try database.query("SELECT id, state FROM leads WHERE dnc = 0 AND state IS NOT NULL", [], { ($0.int64(0), $0.string(1) ?? "") })
        where selected.contains(id) {
            counts[state, default: 0] += 1
        }
        return counts
    }

    /// The ids of the leads in the audience, in id order.
    public func select(in database: Database) throws -> [Int64] {
        let listed = lists.isEmpty ? [] : try LeadLists(database: database).members(of: lists)
        var ids: [Int64] = []
        try LeadStore(database: database).forEach { lead in
            if contains(lead, listed: listed) { ids.append(lead.id) }
        }
        return ids
    }
}
