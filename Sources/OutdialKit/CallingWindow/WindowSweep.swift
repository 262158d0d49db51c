/// One lead as the window cares: compact, so a million fit in a few MB.
public struct GateRow: Sendable {
    /// The lead's `zone_sets` id (0 for none).
    public var zoneSet: Int32
    /// Index of the address state (`NumberingPlan.regionIndex`), -1 for none.
    public var addressRegion: Int16
    /// The NANP area code of the phone, 0 for another country.
    public var areaCode: Int16

    public init(zoneSet: Int32, addressRegion: Int16, areaCode: Int16) {
        self.zoneSet = zoneSet
        self.addressRegion = addressRegion
        self.areaCode = areaCode
    }
}

/// Gates many leads at one instant. Leads with the same zone set, address
/// state and area code get the same answer, so each distinct combination is
/// worked out once and every lead after it is a dictionary look-up.
public final class WindowSweep {
    let gate: WindowGate
    let zoneSets: [Int64: [String]]
    let plan: NumberingPlan
    private var answers: [Int64: WindowAnswer] = [:]

    /// - Parameter zoneSets: zone set id → its zones (from `zone_sets`).
    public init(policy: CallingWindowPolicy, zoneSets: [Int64: [String]], plan: NumberingPlan = .shared) {
        self.gate = WindowGate(policy: policy)
        self.zoneSets = zoneSets
        self.plan = plan
    }

    /// The distinct combinations worked out so far.
    public var distinct: Int { answers.count }

    /// The answer for one lead at `at` (the same instant for every call).
    @inline(__always)
    public func answer(_ row: GateRow, at: Instant) -> WindowAnswer {
        let key = Int64(row.zoneSet) << 32 | Int64(UInt16(bitPattern: row.addressRegion)) << 16 | Int64(UInt16(bitPattern: row.areaCode))
        if let hit = answers[key] { return hit }
        let area = row.areaCode > 0 ? plan.areaCode(Int(row.areaCode)) : nil
        let subject = WindowSubject(
            zones: zoneSets[Int64(row.zoneSet)] ?? [],
            addressState: row.addressRegion >= 0 ? plan.region(index: row.addressRegion).code : nil,
            phoneState: area?.state, phoneCountry: area?.country)
        let answer = gate.answer(subject, at: at)
        answers[key] = answer
        return answer
    }

    /// Counts of a sweep.
    public struct Summary: Equatable, Sendable {
        public var open = 0
        /// Opens within 24 hours.
        public var opensToday = 0
        /// Opens later within 14 days.
        public var opensLater = 0
        /// Does not open within 14 days.
        public var notWithin14Days = 0
        /// No zone known: never called (`no-timezone`).
        public var noTimezone = 0
    }

    /// Gates every row at `at`.
    public func sweep(_ rows: [GateRow], at: Instant) -> Summary {
        var summary = Summary()
        let now = at.seconds
        for row in rows {
            if row.zoneSet == 0 {
                summary.noTimezone += 1
                continue
            }
            let a = answer(row, at: at)
            if a.open {
                summary.open += 1
            } else if let next = a.nextOpen {
                if next - now <= 86_400 { summary.opensToday += 1 } else { summary.opensLater += 1 }
            } else {
                summary.notWithin14Days += 1
            }
        }
        return summary
    }
}
