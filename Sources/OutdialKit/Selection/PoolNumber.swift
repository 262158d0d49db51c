/// A caller ID of the pool, as the selector holds it.
public struct PoolNumber: Sendable {
    public var id: Int64
    public var e164: String
    public var key: UInt64
    /// NANP area code, 0 for another country.
    public var areaCode: Int
    public var state: String?
    public var position: Coordinate?
    public var label: String?
    public var connection: String?
    /// The provider's id for the number (Vapi's `phoneNumberId`).
    public var providerNumberID: String?
    /// Calls a local day; nil uses the campaign's default.
    public var dailyCap: Int?
    public var weight: Int
    public var enabled: Bool
    /// Not used before this instant (UTC seconds).
    public var restingUntil: Int64?
    public var restingReason: String?
    /// The zone whose midnight resets the daily count (the area code's).
    public var zone: String

    public init(
        id: Int64, e164: String, key: UInt64, areaCode: Int, state: String?, position: Coordinate?, label: String? = nil, connection: String? = nil,
        dailyCap: Int? = nil, weight: Int = 1, enabled: Bool = true, restingUntil: Int64? = nil, restingReason: String? = nil, zone: String
    ) {
        self.id = id
        self.e164 = e164
        self.key = key
        self.areaCode = areaCode
        self.state = state
        self.position = position
        self.label = label
        self.connection = connection
        self.dailyCap = dailyCap
        self.weight = weight
        self.enabled = enabled
        self.restingUntil = restingUntil
        self.restingReason = restingReason
        self.zone = zone
    }

    /// A pool number for an E.164 number, placed by the numbering plan.
    public static func placed(id: Int64, number: PhoneNumber, plan: NumberingPlan = .shared) -> PoolNumber {
        let location = plan.locate(number)
        let zone = location.zones.first.map { plan.zoneNames[Int($0)] } ?? "UTC"
        return PoolNumber(
            id: id, e164: number.e164, key: number.key, areaCode: number.areaCode ?? 0, state: location.state, position: location.position, zone: zone)
    }
}

/// How the campaign wants numbers chosen (SPEC §5, campaign `numbers.selection`).
public struct SelectionSettings: Sendable {
    /// The cap for numbers without their own.
    public var dailyCap: Int = 80
    /// Seconds a number rests after each use.
    public var cooldown: Int64 = 0
    public var nearbyKilometres: Double = 80
    /// `any`: fall back to distant numbers; `none`: wait for a local one.
    public var fallback = "any"
    /// Seconds a lead may wait for a local number to free before `fallback: any`
    /// shows it a distant one (`local_wait`, default 15 minutes).
    public var localWait: Int64 = 900

    public init(dailyCap: Int = 80, cooldown: Int64 = 0, nearbyKilometres: Double = 80, fallback: String = "any", localWait: Int64 = 900) {
        self.dailyCap = dailyCap
        self.cooldown = cooldown
        self.nearbyKilometres = nearbyKilometres
        self.fallback = fallback
        self.localWait = localWait
    }
}
