/// Smart selection (SPEC §5): picks the caller ID for a call by tiers —
/// sticky, area code, nearby, state, nearest, any — among eligible numbers;
/// within a tier fewest uses today, then weight, then least recently used,
/// then the number itself, so a dry run and a real run choose alike.
///
/// Everything is in memory with indexes by area code and state, so a
/// selection costs microseconds.
public final class NumberSelector {
    /// The tiers, best first.
    public enum Tier: String, Sendable, CaseIterable {
        case sticky, fixed, areaCode = "area-code", nearby, state, nearest, any
    }

    /// What a selection found.
    public struct Choice: Sendable, Equatable {
        /// Index into `numbers`; nil when nothing is eligible.
        public var index: Int?
        public var tier: Tier?
        public var distanceKilometres: Double?
        /// A sentence for people.
        public var reason: String
    }

    /// The lead side of a selection.
    public struct Lead: Sendable {
        public var areaCode: Int
        public var state: String?
        public var position: Coordinate?
        /// The number this lead was last called from.
        public var lastFrom: UInt64?

        public init(areaCode: Int, state: String?, position: Coordinate?, lastFrom: UInt64? = nil) {
            self.areaCode = areaCode
            self.state = state
            self.position = position
            self.lastFrom = lastFrom
        }

        /// The lead side for a phone number, placed by the numbering plan.
        public static func placed(_ number: PhoneNumber, state: String? = nil, lastFrom: UInt64? = nil, plan: NumberingPlan = .shared) -> Lead {
            let location = plan.locate(number)
            return Lead(areaCode: number.areaCode ?? 0, state: state ?? location.state, position: location.position, lastFrom: lastFrom)
        }
    }

    public private(set) var numbers: [PoolNumber]
    public let settings: SelectionSettings
    private let byAreaCode: [Int: [Int]]
    private let byState: [String: [Int]]
    private let byKey: [UInt64: Int]
    private var nearbyCache: [Int: [Int]] = [:]
    private let plan: NumberingPlan

    public init(numbers: [PoolNumber], settings: SelectionSettings, plan: NumberingPlan = .shared) {
        // A stable order by number, the last tie-breaker.
        let sorted = numbers.sorted { $0.key < $1.key }
        self.numbers = sorted
        self.settings = settings
        self.plan = plan
        var byAreaCode: [Int: [Int]] = [:]
        var byState: [String: [Int]] = [:]
        var byKey: [UInt64: Int] = [:]
        for (i, n) in sorted.enumerated() {
            byAreaCode[n.areaCode, default: []].append(i)
            if let state = n.state { byState[state, default: []].append(i) }
            byKey[n.key] = i
        }
        self.byAreaCode = byAreaCode
        self.byState = byState
        self.byKey = byKey
    }

    /// The index of a number in the pool.
    public func index(of key: UInt64) -> Int? { byKey[key] }

    // MARK: - Eligibility

    /// Uses of a number on its local day containing `at`.
    public func usesToday(_ i: Int, at: Int64) -> Int {
        rollDay(i, at: at)
        return numbers[i].usesToday
    }

    private func rollDay(_ i: Int, at: Int64) {
        guard at < numbers[i].dayStart || at >= numbers[i].dayEnd else { return }
        let clock = ZoneClock(named: numbers[i].zone) ?? ZoneClock(named: "UTC")!
        let day = WindowSchedule.floorDiv(clock.local(at: at), 86_400)
        numbers[i].dayStart = clock.utc(forLocal: day * 86_400)
        numbers[i].dayEnd = clock.utc(forLocal: (day + 1) * 86_400)
        numbers[i].usesToday = 0
    }

    /// The cap of a number.
    public func cap(_ i: Int) -> Int { numbers[i].dailyCap ?? settings.dailyCap }

    /// Why a number cannot be used at `at`, or nil when it can.
    public func ineligibility(_ i: Int, at: Int64) -> String? {
        let n = numbers[i]
        if !n.enabled { return "disabled" }
        if let until = n.restingUntil, until > at { return "resting until \(Instant(seconds: until).iso8601)" + (n.restingReason.map { " (\($0))" } ?? "") }
        if usesToday(i, at: at) >= cap(i) { return "at its daily cap of \(cap(i))" }
        if settings.cooldown > 0, let last = n.lastUsed, last + settings.cooldown > at { return "cooling down until \(Instant(seconds: last + settings.cooldown).iso8601)" }
        return nil
    }

    @inline(__always)
    private func eligible(_ i: Int, at: Int64) -> Bool {
        let n = numbers[i]
        guard n.enabled else { return false }
        if let until = n.restingUntil, until > at { return false }
        if settings.cooldown > 0, let last = n.lastUsed, last + settings.cooldown > at { return false }
        if at < n.dayStart || at >= n.dayEnd { rollDay(i, at: at) }
        return numbers[i].usesToday < (n.dailyCap ?? settings.dailyCap)
    }

    /// The best eligible number of a candidate list: fewest uses today, then
    /// weight, then least recently used, then the number.
    private func best(_ candidates: [Int], at: Int64) -> Int? {
        var best: Int?
        for i in candidates where eligible(i, at: at) {
            guard let b = best else {
                best = i
                continue
            }
            let x = numbers[i], y = numbers[b]
            if x.usesToday != y.usesToday {
                if x.usesToday < y.usesToday { best = i }
            } else if x.weight != y.weight {
                if x.weight > y.weight { best = i }
            } else if (x.lastUsed ?? .min) != (y.lastUsed ?? .min) {
                if (x.lastUsed ?? .min) < (y.lastUsed ?? .min) { best = i }
            }  // else: candidates are in number order, the earlier stays
        }
        return best
    }

    /// Numbers whose area-code centre is within `nearby_km` of the lead's area
    /// code's, other than the lead's own area code (overlays and neighbours).
    private func nearby(_ areaCode: Int) -> [Int] {
        if let cached = nearbyCache[areaCode] { return cached }
        var result: [Int] = []
        if let centre = plan.areaCode(areaCode)?.centre {
            for (i, n) in numbers.enumerated() where n.areaCode != areaCode {
                if let p = n.position, let theirs = plan.areaCode(n.areaCode)?.centre ?? Optional(p),
                    theirs.distanceKilometres(to: centre) <= settings.nearbyKilometres
                {
                    result.append(i)
                }
            }
        }
        nearbyCache[areaCode] = result
        return result
    }

    // MARK: - Selecting

    /// Picks a number for a lead at `at` (UTC seconds). Does not record the use.
    public func select(_ lead: Lead, at: Int64) -> Choice {
        if let sticky = lead.lastFrom, let i = byKey[sticky], eligible(i, at: at) {
            return choice(i, .sticky, lead, "the number this lead was last called from")
        }
        if let list = byAreaCode[lead.areaCode], let i = best(list, at: at) {
            return choice(i, .areaCode, lead, "same area code \(lead.areaCode)")
        }
        let near = nearby(lead.areaCode)
        if let i = best(near, at: at) {
            return choice(i, .nearby, lead, "area code \(numbers[i].areaCode) is within \(Int(settings.nearbyKilometres)) km of \(lead.areaCode)")
        }
        if let state = lead.state, let list = byState[state], let i = best(list, at: at) {
            return choice(i, .state, lead, "same state \(state)")
        }
        guard settings.fallback != "none" else {
            return Choice(index: nil, tier: nil, distanceKilometres: nil, reason: noLocalReason(lead, at: at))
        }
        if let position = lead.position {
            var bestIndex: Int?
            var bestDistance = Double.infinity
            for i in numbers.indices where eligible(i, at: at) {
                guard let p = numbers[i].position else { continue }
                let d = p.distanceKilometres(to: position)
                if d < bestDistance - 1e-9 || (abs(d - bestDistance) <= 1e-9 && bestIndex.map { better(i, than: $0) } == true) {
                    bestIndex = i
                    bestDistance = d
                }
            }
            if let i = bestIndex { return choice(i, .nearest, lead, "the nearest eligible number, \(Int(bestDistance.rounded())) km away") }
        }
        if let i = best(Array(numbers.indices), at: at) {
            return choice(i, .any, lead, lead.position == nil ? "no position is known for the lead" : "no eligible number has a known position")
        }
        return Choice(index: nil, tier: nil, distanceKilometres: nil, reason: noneReason(at: at))
    }

    private func better(_ i: Int, than j: Int) -> Bool {
        let x = numbers[i], y = numbers[j]
        if x.usesToday != y.usesToday { return x.usesToday < y.usesToday }
        if x.weight != y.weight { return x.weight > y.weight }
        return (x.lastUsed ?? .min) < (y.lastUsed ?? .min)
    }

    /// Fixed mode (`place_call` with `number:`): that number or nothing; no tiers, but the cap.
    public func fixed(_ key: UInt64, at: Int64) -> Choice {
        guard let i = byKey[key] else { return Choice(index: nil, tier: nil, distanceKilometres: nil, reason: "the number is not in the pool") }
        if let why = ineligibility(i, at: at) { return Choice(index: nil, tier: nil, distanceKilometres: nil, reason: "\(numbers[i].e164) is \(why)") }
        return Choice(index: i, tier: .fixed, distanceKilometres: nil, reason: "the campaign's fixed number")
    }

    /// Counts a use of number `i` at `at`.
    public func recordUse(_ i: Int, at: Int64) {
        rollDay(i, at: at)
        numbers[i].usesToday += 1
        numbers[i].lastUsed = max(numbers[i].lastUsed ?? .min, at)
    }

    /// Loads a past use (from the call history) into the counters.
    public func recordPastUse(key: UInt64, at: Int64, now: Int64) {
        guard let i = byKey[key] else { return }
        rollDay(i, at: now)
        if at >= numbers[i].dayStart && at < numbers[i].dayEnd { numbers[i].usesToday += 1 }
        numbers[i].lastUsed = max(numbers[i].lastUsed ?? .min, at)
    }

    private func choice(_ i: Int, _ tier: Tier, _ lead: Lead, _ reason: String) -> Choice {
        let distance = numbers[i].position.flatMap { p in lead.position.map { p.distanceKilometres(to: $0) } }
        return Choice(index: i, tier: tier, distanceKilometres: distance.map { ($0 * 10).rounded() / 10 }, reason: reason)
    }

    private func noLocalReason(_ lead: Lead, at: Int64) -> String {
        let local = (byAreaCode[lead.areaCode] ?? []) + nearby(lead.areaCode) + (lead.state.flatMap { byState[$0] } ?? [])
        if local.isEmpty { return "no local number (area code \(lead.areaCode), nearby or state \(lead.state ?? "?")) and fallback is none" }
        let why = Set(local.compactMap { ineligibility($0, at: at) }.map { $0.hasPrefix("at its daily cap") ? "at their daily cap" : $0.hasPrefix("resting") ? "resting" : $0.hasPrefix("cooling") ? "cooling down" : $0 })
        return "every local number is " + why.sorted().joined(separator: " or ") + "; fallback is none, so the lead waits"
    }

    private func noneReason(at: Int64) -> String {
        if numbers.isEmpty { return "the number pool is empty" }
        let why = Set(numbers.indices.compactMap { ineligibility($0, at: at) }.map { $0.hasPrefix("at its daily cap") ? "at their daily cap" : $0.hasPrefix("resting") ? "resting" : $0.hasPrefix("cooling") ? "cooling down" : $0 })
        return "no number is eligible: every number is " + why.sorted().joined(separator: " or ")
    }
}
