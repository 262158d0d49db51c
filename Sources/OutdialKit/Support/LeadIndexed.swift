/// A value for each lead, kept in an array indexed by the lead's id.
///
/// Lead ids are the `leads` table's rowids: a campaign's leads are a dense
/// range of them (from 1 in a new file, higher in one that has had leads
/// deleted), so an array from the lowest id costs the value's size a lead where
/// a dictionary costs two to four times that (a hash table at most ¾ full that
/// doubles as it grows; 8 MiB for 200,000 `Int64` pairs). Ids below the first
/// one reserved, or more than `denseLimit` above it, go to a dictionary
/// instead of growing the array.
struct LeadIndexed<Value> {
    static var denseLimit: Int64 { 1 << 24 }

    private var base: Int64 = 0
    private var dense: [Value] = []
    private var sparse: [Int64: Value] = [:]
    /// What a lead not seen yet has.
    let absent: Value

    init(absent: Value) { self.absent = absent }

    /// How many ids the array spans (the rest are in the dictionary).
    var arraySpan: Int { dense.count }

    /// Makes room for the ids in `ids` at once (instead of doubling towards
    /// them); before any value is set, the array starts at the lowest.
    mutating func reserve(_ ids: ClosedRange<Int64>) {
        if dense.isEmpty, sparse.isEmpty { base = ids.lowerBound }
        guard let last = index(ids.upperBound) else { return }
        dense.reserveCapacity(last + 1)
    }

    /// Where the id's value is in the array, when it belongs there.
    @inline(__always)
    private func index(_ id: Int64) -> Int? {
        let offset = id &- base
        return id >= base && offset < Self.denseLimit ? Int(offset) : nil
    }

    subscript(id: Int64) -> Value {
        get {
            guard let i = index(id) else { return sparse[id] ?? absent }
            return i < dense.count ? dense[i] : absent
        }
        set { update(id) { $0 = newValue } }
    }

    /// Changes the lead's value in place (an array value is not copied).
    @discardableResult
    mutating func update<R>(_ id: Int64, _ body: (inout Value) -> R) -> R {
        let absent = self.absent
        guard let i = index(id) else { return body(&sparse[id, default: absent]) }
        if i >= dense.count { dense.append(contentsOf: repeatElement(absent, count: i + 1 - dense.count)) }
        return body(&dense[i])
    }
}
