/// Who is being called, as far as the calling window cares: the zones to gate
/// on and where the person is (SPEC §4.1, §4.2).
public struct WindowSubject: Hashable, Sendable {
    /// Candidate IANA zones, sorted.
    public var zones: [String]
    /// The address state or province (state column or ZIP).
    public var addressState: String?
    /// The state or province of the phone's area code.
    public var phoneState: String?
    /// The phone number's country (US, CA, PR …).
    public var phoneCountry: String?

    public init(zones: [String], addressState: String? = nil, phoneState: String? = nil, phoneCountry: String? = nil) {
        self.zones = zones
        self.addressState = addressState
        self.phoneState = phoneState
        self.phoneCountry = phoneCountry
    }
}

/// Which rules gate which subjects: the campaign's own window and the
/// compliance layers it turns on (`us`, `ca`), from a rules table.
public struct CallingWindowPolicy: Sendable {
    /// The campaign's window; nil gates on the compliance layers alone.
    public var campaign: WindowRule?
    /// Compliance layers in force: `us`, `ca`.
    public var layers: Set<String>
    public var rules: ComplianceRules

    public init(campaign: WindowRule? = nil, layers: Set<String> = ["us", "ca"], rules: ComplianceRules = .bundled) {
        self.campaign = campaign
        self.layers = layers
        self.rules = rules
    }

    /// US territories are under the federal rules too.
    static let usTerritories: Set<String> = ["US", "PR", "VI", "GU", "AS", "MP"]

    /// The rules that apply to a subject, campaign first.
    public func rules(for subject: WindowSubject) -> [WindowRule] {
        var result: [WindowRule] = []
        if let campaign { result.append(campaign) }
        let plan = NumberingPlan.shared
        let addressCountry = subject.addressState.flatMap { plan.region($0)?.country }
        let countries = Set([subject.phoneCountry, addressCountry].compactMap { $0 })
        if layers.contains("us"), !countries.isDisjoint(with: Self.usTerritories) {
            if let national = rules.national("US") { result.append(national) }
            // The address state, and the area code's (several states presume an
            // in-state area code means an in-state person).
            for state in Set([subject.addressState, subject.phoneState].compactMap { $0 }).sorted() {
                if let rule = rules.state(state) { result.append(rule) }
            }
        }
        if layers.contains("ca"), countries.contains("CA"), let national = rules.national("CA") {
            result.append(national)
        }
        return result
    }

    /// The ids a window answer names (`campaign`, `us-federal`, `us-FL`,
    /// `holiday:us-federal`).
    public static func ids(of rules: [WindowRule]) -> [String] {
        var ids = rules.map(\.id)
        for rule in rules {
            for set in rule.closedOn where !ids.contains("holiday:\(set.id)") { ids.append("holiday:\(set.id)") }
            if !rule.closedDates.isEmpty, !ids.contains("holiday:dates") { ids.append("holiday:dates") }
        }
        return ids
    }
}

/// Answers "may this subject be called at this instant, and when next?" for
/// many subjects, computing each distinct (zones, rules) schedule once.
public final class WindowGate {
    public let policy: CallingWindowPolicy
    private var schedules: [String: WindowSchedule] = [:]
    private var clocks: [String: ZoneClock] = [:]
    private var bySlot: [WindowSchedule?] = []

    public init(policy: CallingWindowPolicy) { self.policy = policy }

    /// The number of distinct schedules computed so far.
    public var scheduleCount: Int { schedules.count }

    /// The answer for a subject; a subject with no zones is never open.
    public func answer(_ subject: WindowSubject, at: Instant) -> WindowAnswer {
        answer(zones: subject.zones, rules: policy.rules(for: subject), at: at)
    }

    /// The answer for explicit zones and rules.
    public func answer(zones: [String], rules: [WindowRule], at: Instant) -> WindowAnswer {
        guard !zones.isEmpty else { return WindowAnswer(open: false, closesAt: nil, nextOpen: nil) }
        let seconds = at.seconds
        let key = Self.key(zones, rules)
        if let schedule = schedules[key], schedule.covers(seconds) { return schedule.answer(at: seconds) }
        let schedule = WindowSchedule(zones: zones.compactMap(clock), rules: rules, from: seconds)
        schedules[key] = schedule
        return schedule.answer(at: seconds)
    }

    /// The answer for zones and rules the caller has numbered (0, 1, 2 …, the
    /// same zones and rules for a number every time): no key to build per question.
    public func answer(slot: Int, zones: [String], rules: [WindowRule], at: Instant) -> WindowAnswer {
        let seconds = at.seconds
        if slot < bySlot.count, let schedule = bySlot[slot], schedule.covers(seconds) { return schedule.answer(at: seconds) }
        let answer = answer(zones: zones, rules: rules, at: at)
        guard !zones.isEmpty else { return answer }
        if slot >= bySlot.count { bySlot += Array(repeating: nil, count: slot + 1 - bySlot.count) }
        bySlot[slot] = schedules[Self.key(zones, rules)]
        return answer
    }

    private static func key(_ zones: [String], _ rules: [WindowRule]) -> String {
        zones.joined(separator: " ") + "|" + rules.map(\.id).joined(separator: " ")
    }

    private func clock(_ name: String) -> ZoneClock? {
        if let clock = clocks[name] { return clock }
        let clock = ZoneClock(named: name)
        clocks[name] = clock
        return clock
    }
}
