/// Smart selection (SPEC §5): picks the caller ID for a call by tiers —
/// sticky, area code, nearby, state, nearest, any — among eligible numbers;
/// within a tier fewest uses today, then weight, then least recently used,
/// then the number itself, so a dry run and a real run choose alike.
///
/// Local first: the sticky number counts only at its own tier (a distant
/// number never sticks over a local one), and when no local number is free
/// now but one frees within `local_wait`, the lead waits for it rather than
/// being shown a distant number.
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
        /// With no index: the lead waits for a local number (`waitFor`) whose
        /// turn for it comes at this instant (within `local_wait`, or at all
        /// with `fallback: none`).
        public var waitUntil: Int64? = nil
        public var waitFor: Int? = nil
    }

    /// The lead side of a selection.
    public struct Lead: Sendable, Hashable {
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

    /// The pool's descriptions (numbers, labels, places), in number order.
    public let numbers: [PoolNumber]
    public let settings: SelectionSettings
    // The state selection reads on every call, kept apart from the strings of
    // `numbers` so the hot loop touches plain integers only.
    private var uses: [Int32]
    private var dayStart: [Int64]
    private var dayEnd: [Int64]
    private var lastUse: [Int64]
    private var restingUntil: [Int64]
    private var restingReasons: [String?]
    /// Each number's latest outcomes (answered or not), oldest first, at most
    /// the health rule's `answer_rate_calls`: the answer rate as calls end.
    private var recentAnswers: [[Bool]]
    /// The latest turn promised to a lead waiting for the number (`promise`).
    private var promised: [Int64]
    private let enabled: [Bool]
    private let caps: [Int32]
    private let weights: [Int32]
    private let positions: [Coordinate?]
    private var nearestCache: [Int64: [Int16]] = [:]
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
        // Uses come from the call history (`recordPastUse`) and from selecting.
        uses = Array(repeating: 0, count: sorted.count)
        dayStart = Array(repeating: .min, count: sorted.count)
        dayEnd = Array(repeating: .min, count: sorted.count)
        lastUse = Array(repeating: .min, count: sorted.count)
        restingUntil = sorted.map { $0.restingUntil ?? .min }
        restingReasons = sorted.map(\.restingReason)
        recentAnswers = Array(repeating: [], count: sorted.count)
        promised = Array(repeating: .min, count: sorted.count)
        enabled = sorted.map(\.enabled)
        caps = sorted.map { Int32($0.dailyCap ?? settings.dailyCap) }
        weights = sorted.map { Int32($0.weight) }
        positions = sorted.map(\.position)
    }

    /// The last use of number `i` (UTC seconds), if any.
    public func lastUsed(_ i: Int) -> Int64? { lastUse[i] == .min ? nil : lastUse[i] }

    /// The index of a number in the pool.
    public func index(of key: UInt64) -> Int? { byKey[key] }

    // MARK: - Eligibility

    /// Uses of a number on its local day containing `at`.
    public func usesToday(_ i: Int, at: Int64) -> Int { Int(uses(i, at: at)) }

    /// The uses of number `i` on the local day of `at`, without changing the
    /// counters: a later day than the one counted has none yet; an earlier one
    /// (time asked backwards) is answered with the counted day's, never with 0,
    /// so a look ahead can never make a capped number look free.
    @inline(__always)
    private func uses(_ i: Int, at: Int64) -> Int32 { at >= dayEnd[i] ? 0 : uses[i] }

    /// The end of the local day of `at` for number `i` (UTC seconds).
    private func dayEnd(_ i: Int, at: Int64) -> Int64 {
        at >= dayStart[i] && at < dayEnd[i] ? dayEnd[i] : Self.localDay(zone: numbers[i].zone, at: at).end
    }

    private static func localDay(zone: String, at: Int64) -> (start: Int64, end: Int64) {
        let clock = ZoneClock(named: zone) ?? ZoneClock(named: "UTC")!
        let day = WindowSchedule.floorDiv(clock.local(at: at), 86_400)
        return (clock.utc(forLocal: day * 86_400), clock.utc(forLocal: (day + 1) * 86_400))
    }

    /// Moves number `i`'s counters to the local day of `at` when that day is
    /// later than the one counted (a use, or the history loaded at `now`);
    /// only uses move them, never a question.
    @inline(__always)
    private func advanceDay(_ i: Int, to at: Int64) {
        guard at >= dayEnd[i] else { return }
        (dayStart[i], dayEnd[i]) = Self.localDay(zone: numbers[i].zone, at: at)
        uses[i] = 0
    }

    /// Rests a number until `until` (UTC seconds), for `reason`: it is not
    /// chosen again before then, in this run too.
    public func rest(_ i: Int, until: Int64, reason: String) {
        guard until > restingUntil[i] else { return }
        restingUntil[i] = until
        restingReasons[i] = reason
    }

    /// The answers of number `i`'s latest calls, oldest first (from the call history).
    public func seedAnswers(_ i: Int, _ answers: [Bool]) { recentAnswers[i] = answers }

    /// Health as calls end (docs/numbers.md): a call blocked as spam rests its
    /// number for `rest_after_spam` from the call's end; an answer rate below
    /// `min_answer_rate` over its last `answer_rate_calls` calls rests it for `rest`.
    public func recordOutcome(_ i: Int, _ outcome: CallOutcome, endedAt end: Int64, health: NumberStore.Health) {
        recentAnswers[i].append(outcome == .answered)
        if recentAnswers[i].count > health.window { recentAnswers[i].removeFirst(recentAnswers[i].count - health.window) }
        if outcome == .spamBlocked { return rest(i, until: end + health.restAfterSpam, reason: "its last call was blocked as spam") }
        guard let reason = health.lowAnswerRate(answered: recentAnswers[i].count(where: { $0 }), calls: recentAnswers[i].count) else { return }
        rest(i, until: end + health.rest, reason: reason)
    }

    /// The cap of a number.
    public func cap(_ i: Int) -> Int { Int(caps[i]) }

    /// Why a number cannot be used at `at`, or nil when it can.
    public func ineligibility(_ i: Int, at: Int64) -> String? {
        let n = numbers[i]
        if !n.enabled { return "disabled" }
        if restingUntil[i] > at {
            return "resting until \(Instant(seconds: restingUntil[i]).iso8601)" + (restingReasons[i].map { " (\($0))" } ?? "")
        }
        if usesToday(i, at: at) >= cap(i) { return "at its daily cap of \(cap(i))" }
        if settings.cooldown > 0, let last = lastUsed(i), last + settings.cooldown > at {
            return "cooling down until \(Instant(seconds: last + settings.cooldown).iso8601)"
        }
        if promised[i] != .min, at < promised[i] + promiseGap {
            return "promised to leads waiting for it until \(Instant(seconds: promised[i] + promiseGap).iso8601)"
        }
        return nil
    }

    /// The first time at or after `at` some number of the pool can be used
    /// (`at` itself when one can now); nil when none ever can as things stand.
    public func firstFree(at: Int64) -> Int64? {
        for i in numbers.indices where eligible(i, at: at) { return at }
        return nextChange(after: at)
    }

    @inline(__always)
    private func eligible(_ i: Int, at: Int64) -> Bool {
        free(i, at: at) && (promised[i] == .min || at >= promised[i] + promiseGap)
    }

    /// Eligible but for the turns promised to waiting leads (`promise`).
    @inline(__always)
    private func free(_ i: Int, at: Int64) -> Bool {
        guard enabled[i], restingUntil[i] <= at else { return false }
        if settings.cooldown > 0, lastUse[i] != .min, lastUse[i] + settings.cooldown > at { return false }
        return uses(i, at: at) < caps[i]
    }

    /// The best eligible number of a candidate list: fewest uses today, then
    /// weight, then least recently used, then the number.
    private func best(_ candidates: [Int], at: Int64) -> Int? {
        var best: Int?
        for i in candidates where eligible(i, at: at) {
            if let b = best, !better(i, than: b, at: at) { continue }  // equal: candidates are in number order, the earlier stays
            best = i
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
                // A number's position is its area code's centre.
                if let theirs = positions[i], theirs.distanceKilometres(to: centre) <= settings.nearbyKilometres { result.append(i) }
            }
        }
        nearbyCache[areaCode] = result
        return result
    }

    // MARK: - Selecting

    /// The earliest instant after `at` when some number that is not eligible
    /// now may become so (a cap resetting at local midnight, a cooldown or a
    /// rest ending); nil when no number ever will (all disabled).
    public func nextChange(after at: Int64) -> Int64? {
        var earliest: Int64?
        func consider(_ t: Int64) { if t > at, t < (earliest ?? .max) { earliest = t } }
        for i in numbers.indices where enabled[i] {
            if restingUntil[i] > at { consider(restingUntil[i]) }
            if uses(i, at: at) >= caps[i] { consider(dayEnd[i]) }
            if settings.cooldown > 0, lastUse[i] != .min { consider(lastUse[i] + settings.cooldown) }
            if promised[i] != .min { consider(promised[i] + promiseGap) }
        }
        return earliest
    }

    /// Picks a number for a lead at `at` (UTC seconds). Does not record the use.
    /// With `explain` false a failure skips working out why (the runner's hot path).
    /// `promised`: the number the lead was promised a turn at (`promise`), which
    /// it takes when that turn comes.
    public func select(_ lead: Lead, at: Int64, promised mine: Int? = nil, explain: Bool = true) -> Choice {
        if let i = mine, free(i, at: at) {
            return choice(i, locality(of: i, for: lead), lead, "the local number this lead waited for")
        }
        // The sticky number competes at its own tier only.
        let sticky = lead.lastFrom.flatMap { byKey[$0] }.flatMap { eligible($0, at: at) ? $0 : nil }
        let stickyTier = sticky.map { locality(of: $0, for: lead) }
        if let i = sticky, stickyTier == .areaCode { return choice(i, .sticky, lead, "the number this lead was last called from (same area code)") }
        if let list = byAreaCode[lead.areaCode], let i = best(list, at: at) {
            return choice(i, .areaCode, lead, "same area code \(lead.areaCode)")
        }
        if let i = sticky, stickyTier == .nearby { return choice(i, .sticky, lead, "the number this lead was last called from (nearby)") }
        let near = nearby(lead.areaCode)
        if let i = best(near, at: at) {
            return choice(i, .nearby, lead, "area code \(numbers[i].areaCode) is within \(Int(settings.nearbyKilometres)) km of \(lead.areaCode)")
        }
        if let i = sticky, stickyTier == .state { return choice(i, .sticky, lead, "the number this lead was last called from (same state)") }
        if let state = lead.state, let list = byState[state], let i = best(list, at: at) {
            return choice(i, .state, lead, "same state \(state)")
        }
        // No local number is free now: wait for one that comes out of its
        // cooldown or rest within local_wait, taking a turn after the leads
        // already waiting for it, as long as it can give that turn today.
        if let (i, turn) = firstLocalTurn(lead, after: at),
            settings.fallback == "none" || turn <= at + settings.localWait
                || ((freeAt(i, after: at) ?? .max) <= at + settings.localWait && turnToday(i, turn, at: at))
        {
            let reason =
                explain
                ? "waiting for the local number \(numbers[i].e164), its turn at \(Instant(seconds: turn).iso8601)"
                    + (settings.fallback == "none" ? " (fallback: none)" : " (within local_wait \(TimeSpan(seconds: settings.localWait)))")
                : "waiting for a local number"
            return Choice(index: nil, tier: nil, distanceKilometres: nil, reason: reason, waitUntil: turn, waitFor: i)
        }
        guard settings.fallback != "none" else {
            return Choice(index: nil, tier: nil, distanceKilometres: nil, reason: explain ? noLocalReason(lead, at: at) : "no eligible local number")
        }
        // A distant number is never sticky: `sticky` always names a local number.
        if let position = lead.position {
            // Numbers by distance from this position, worked out once per place.
            let key = Int64((position.latitude * 100).rounded()) << 32 | Int64(Int32((position.longitude * 100).rounded())) & 0xFFFF_FFFF
            let order: [Int16]
            if let cached = nearestCache[key] {
                order = cached
            } else {
                let placed = numbers.indices.compactMap { i in positions[i].map { (Int16(i), $0.distanceKilometres(to: position)) } }
                order = placed.sorted { $0.1 == $1.1 ? Int($0.0) < Int($1.0) : $0.1 < $1.1 }.map(\.0)
                nearestCache[key] = order
            }
            // The nearest eligible; among numbers at the same place the usual tie-breaks.
            var bestIndex: Int?
            var bestDistance = Double.infinity
            for j in order {
                let i = Int(j)
                guard eligible(i, at: at), let p = positions[i] else { continue }
                let d = p.distanceKilometres(to: position)
                if let b = bestIndex {
                    if d > bestDistance + 1e-9 { break }
                    if better(i, than: b, at: at) { bestIndex = i }
                } else {
                    bestIndex = i
                    bestDistance = d
                }
            }
            if let i = bestIndex { return choice(i, .nearest, lead, "the nearest eligible number, \(Int(bestDistance.rounded())) km away") }
        }
        if let i = best(Array(numbers.indices), at: at) {
            return choice(i, .any, lead, lead.position == nil ? "no position is known for the lead" : "no eligible number has a known position")
        }
        return Choice(index: nil, tier: nil, distanceKilometres: nil, reason: explain ? noneReason(at: at) : "no eligible number")
    }

    /// How local number `i` is to the lead: `areaCode`, `nearby`, `state`, or `any` (distant).
    private func locality(of i: Int, for lead: Lead) -> Tier {
        let n = numbers[i]
        if n.areaCode == lead.areaCode { return .areaCode }
        if nearby(lead.areaCode).contains(i) { return .nearby }
        if let state = lead.state, n.state == state { return .state }
        return .any
    }

    /// The local number (area code, nearby, state) whose next turn for the
    /// lead comes first after `at`, and when; nil when none ever can as the
    /// pool stands. A lead that missed its turn (its window was closed, the
    /// number's cap was reached) goes to the back: woken with others at a
    /// window's opening, they are given turns one after another.
    private func firstLocalTurn(_ lead: Lead, after at: Int64) -> (Int, Int64)? {
        var found: (Int, Int64)?
        func consider(_ list: [Int]) {
            for i in list {
                guard let t = turn(i, after: at) else { continue }
                if let f = found, f.1 < t || (f.1 == t && f.0 <= i) { continue }
                found = (i, t)
            }
        }
        consider(byAreaCode[lead.areaCode] ?? [])
        consider(nearby(lead.areaCode))
        if let state = lead.state { consider(byState[state] ?? []) }
        return found
    }

    /// When number `i` can next be given to a lead not yet promised it: after
    /// its rest, cooldown and cap, and after the turns promised to waiting leads.
    private func turn(_ i: Int, after at: Int64) -> Int64? {
        guard let t = freeAt(i, after: at) else { return nil }
        return promised[i] == .min ? t : max(t, promised[i] + promiseGap)
    }

    /// Whether a turn at `turn` for number `i` is one it can give today: the
    /// leads waiting ahead and today's uses stay under its daily cap, and the
    /// turn comes before its local midnight.
    private func turnToday(_ i: Int, _ turn: Int64, at: Int64) -> Bool {
        return turn < dayEnd(i, at: at) && Int64(uses(i, at: at)) + (turn - at) / promiseGap < Int64(caps[i])
    }

    /// Promised turns of a number are a cooldown apart (a second at least).
    private var promiseGap: Int64 { max(settings.cooldown, 1) }

    /// A lead waits for number `i` until `turn` (`Choice.waitUntil`): a later
    /// lead waiting for it is given the turn after, so leads waiting for one
    /// number are woken one at a time, not all at once.
    public func promise(_ i: Int, at turn: Int64) {
        if turn > promised[i] { promised[i] = turn }
    }

    /// When number `i` can next be used, at or after `at`: its rest, cooldown
    /// and daily cap as they stand; nil when it is disabled.
    public func freeAt(_ i: Int, after at: Int64) -> Int64? {
        guard enabled[i] else { return nil }
        var t = max(at, restingUntil[i])
        if settings.cooldown > 0, lastUse[i] != .min { t = max(t, lastUse[i] + settings.cooldown) }
        // Today's cap holds t back to local midnight; a later day starts with none used.
        if uses(i, at: at) >= caps[i], t < dayEnd[i] { t = dayEnd[i] }
        return t
    }

    /// Fewer uses today, then more weight, then used longer ago; false when equal.
    @inline(__always)
    private func better(_ i: Int, than j: Int, at: Int64) -> Bool {
        let (a, b) = (uses(i, at: at), uses(j, at: at))
        if a != b { return a < b }
        if weights[i] != weights[j] { return weights[i] > weights[j] }
        return lastUse[i] < lastUse[j]
    }

    /// Fixed mode (`place_call` with `number:`): that number or nothing; no tiers, but the cap.
    public func fixed(_ key: UInt64, at: Int64) -> Choice {
        guard let i = byKey[key] else { return Choice(index: nil, tier: nil, distanceKilometres: nil, reason: "the number is not in the pool") }
        if let why = ineligibility(i, at: at) { return Choice(index: nil, tier: nil, distanceKilometres: nil, reason: "\(numbers[i].e164) is \(why)") }
        return Choice(index: i, tier: .fixed, distanceKilometres: nil, reason: "the campaign's fixed number")
    }

    /// Counts a use of number `i` at `at`.
    public func recordUse(_ i: Int, at: Int64) {
        advanceDay(i, to: at)
        uses[i] += 1
        lastUse[i] = max(lastUse[i], at)
    }

    /// Loads a past use (from the call history) into the counters.
    public func recordPastUse(key: UInt64, at: Int64, now: Int64) {
        guard let i = byKey[key] else { return }
        advanceDay(i, to: now)
        if at >= dayStart[i] && at < dayEnd[i] { uses[i] += 1 }
        lastUse[i] = max(lastUse[i], at)
    }

    private func choice(_ i: Int, _ tier: Tier, _ lead: Lead, _ reason: String) -> Choice {
        let distance = positions[i].flatMap { p in lead.position.map { p.distanceKilometres(to: $0) } }
        return Choice(index: i, tier: tier, distanceKilometres: distance.map { ($0 * 10).rounded() / 10 }, reason: reason)
    }

    private func noLocalReason(_ lead: Lead, at: Int64) -> String {
        let local = (byAreaCode[lead.areaCode] ?? []) + nearby(lead.areaCode) + (lead.state.flatMap { byState[$0] } ?? [])
        if local.isEmpty { return "no local number (area code \(lead.areaCode), nearby or state \(lead.state ?? "?")) and fallback is none" }
        let why = Set(
            local.compactMap { ineligibility($0, at: at) }.map {
                $0.hasPrefix("at its daily cap") ? "at their daily cap" : $0.hasPrefix("resting") ? "resting" : $0.hasPrefix("cooling") ? "cooling down" : $0
            })
        return "every local number is " + why.sorted().joined(separator: " or ") + "; fallback is none, so the lead waits"
    }

    private func noneReason(at: Int64) -> String {
        if numbers.isEmpty { return "the number pool is empty" }
        let why = Set(
            numbers.indices.compactMap { ineligibility($0, at: at) }.map {
                $0.hasPrefix("at its daily cap") ? "at their daily cap" : $0.hasPrefix("resting") ? "resting" : $0.hasPrefix("cooling") ? "cooling down" : $0
            })
        return "no number is eligible: every number is " + why.sorted().joined(separator: " or ")
    }
}
