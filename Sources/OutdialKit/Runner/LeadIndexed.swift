/// A value for each lead, kept in an array indexed by the lead's id.
///
/// Lead ids are the `leads` table's rowids, dense from 1, so an array costs
/// the value's size a lead where a dictionary costs two to four times that (a
/// hash table at most ¾ full that doubles as it grows; 8 MiB for 200,000
/// `Int64` pairs). Ids outside `0..<denseLimit` (a hand-inserted row with a
/// huge or negative id) go to a dictionary instead of growing the array.
struct LeadIndexed<Value> {
    static var denseLimit: Int64 { 1 << 24 }

    private var dense: [Value] = []
    private var sparse: [Int64: Value] = [:]
    /// What a lead not seen yet has.
    let absent: Value

    init(absent: Value) { self.absent = absent }

    /// Makes room for ids up to `id` at once, instead of doubling towards it.
    mutating func reserve(upTo id: Int64) {
        guard id >= 0, id < Self.denseLimit, Int(id) >= dense.count else { return }
        dense.reserveCapacity(Int(id) + 1)
    }

    subscript(id: Int64) -> Value {
        get {
            if id >= 0, id < Int64(dense.count) { return dense[Int(id)] }
            if id >= 0, id < Self.denseLimit { return absent }
            return sparse[id] ?? absent
        }
        set { update(id) { $0 = newValue } }
    }

    /// Changes the lead's value in place (an array value is not copied).
    @discardableResult
    mutating func update<R>(_ id: Int64, _ body: (inout Value) -> R) -> R {
        let absent = self.absent
        guard id >= 0, id < Self.denseLimit else { return body(&sparse[id, default: absent]) }
        if Int(id) >= dense.count {
            dense.append(contentsOf: repeatElement(absent, count: Int(id) + 1 - dense.count))
        }
        return body(&dense[Int(id)])
    }
}
