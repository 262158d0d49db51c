/// What the dial decision reads of a lead.
public struct DialLead: Sendable {
    public var id: Int64
    public var phone: String
    /// Candidate IANA zones, sorted (the lead's zone set).
    public var zones: [String]
    public var state: String?
    /// Where `state` came from (`phone` when it was read off the area code).
    public var stateSource: String?
    public var dnc: Bool
    /// The address ZIP: a known ZIP's position places the lead for `nearest`.
    public var zip: String?

    public init(id: Int64, phone: String, zones: [String], state: String?, stateSource: String?, dnc: Bool, zip: String? = nil) {
        self.id = id
        self.phone = phone
        self.zones = zones
        self.state = state
        self.stateSource = stateSource
        self.dnc = dnc
        self.zip = zip
    }

    public init(_ lead: LeadRecord) {
        self.init(id: lead.id, phone: lead.phone, zones: lead.zones, state: lead.state, stateSource: lead.stateSource, dnc: lead.dnc, zip: lead.zip)
    }

    /// The columns of `leads` a dial lead is read from, in `init(row:zoneSets:)`'s order.
    static let columns = "id, phone, zone_set_id, state, state_source, dnc, zip"
    /// Every lead's dial fields, by id; one lead's.
    static let allSQL = "SELECT \(columns) FROM leads ORDER BY id"
    static let byIDSQL = "SELECT \(columns) FROM leads WHERE id = ?"

    /// A dial lead from a row of `columns` (`zoneSets`: `ZoneSetStore.zones`).
    init(row: Statement, zoneSets: [Int64: [String]]) {
        self.init(
            id: row.int64(0), phone: row.string(1) ?? "", zones: row.isNull(2) ? [] : zoneSets[row.int64(2)] ?? [], state: row.string(3),
            stateSource: row.string(4), dnc: row.int64(5) != 0, zip: row.string(6))
    }

    /// A digest of every field the decision reads: equal digests, the same decision inputs.
    var digest: Int {
        var hasher = Hasher()
        hasher.combine(phone)
        hasher.combine(zones)
        hasher.combine(state)
        hasher.combine(stateSource)
        hasher.combine(dnc)
        hasher.combine(zip)
        return hasher.finalize()
    }
}

extension WindowSubject {
    /// The one way a lead's window subject is built (the runner, `plan`):
    /// the lead's zones (or the campaign's default zone when none is known),
    /// its address state (unless that was only read off the phone), and the
    /// state and country of its phone's area code.
    public init(lead: DialLead, defaultZone: String?, plan: NumberingPlan) {
        var zones = lead.zones
        if zones.isEmpty, let defaultZone { zones = [defaultZone] }
        let number = PhoneNumber(e164: lead.phone)
        let area = number?.areaCode.flatMap { plan.areaCode($0) }
        self.init(
            zones: zones, addressState: lead.stateSource == "phone" ? nil : lead.state, phoneState: area?.state,
            phoneCountry: area?.country ?? number.flatMap { plan.countries(callingCode: $0.countryCode).first?.region })
    }
}
