/// A set of phone keys (E.164 digits as integers) in one flat array with open
/// addressing: 8 bytes a slot, grown by half when three quarters full. About a
/// third of the memory of `Set<UInt64>` for the million keys an import holds.
struct PhoneKeySet {
    private var slots: [UInt64]
    private(set) var count = 0

    init(capacity: Int = 1 << 16) {
        slots = [UInt64](repeating: 0, count: max(16, capacity))
    }

    /// Inserts a key (never 0: every E.164 number has a country code);
    /// returns false when it was already there.
    @inline(__always)
    mutating func insert(_ key: UInt64) -> Bool {
        if (count + 1) * 4 > slots.count * 3 { grow() }
        return slots.withUnsafeMutableBufferPointer { s in
            var i = Self.slot(key, s.count)
            while true {
                let v = s[i]
                if v == 0 {
                    s[i] = key
                    count += 1
                    return true
                }
                if v == key { return false }
                i += 1
                if i == s.count { i = 0 }
            }
        }
    }

    @inline(__always)
    func contains(_ key: UInt64) -> Bool {
        slots.withUnsafeBufferPointer { s in
            var i = Self.slot(key, s.count)
            while true {
                let v = s[i]
                if v == 0 { return false }
                if v == key { return true }
                i += 1
                if i == s.count { i = 0 }
            }
        }
    }

    /// A well-mixed slot for a key (the low digits of phone numbers are not random enough alone).
    @inline(__always)
    private static func slot(_ key: UInt64, _ count: Int) -> Int {
        var z = key &* 0x9E37_79B9_7F4A_7C15
        z ^= z >> 29
        return Int(truncatingIfNeeded: z.multipliedFullWidth(by: UInt64(count)).high)
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count + old.count / 2)
        count = 0
        for key in old where key != 0 { _ = insert(key) }
    }
}
