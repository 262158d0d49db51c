// The in-memory figures of `make bench` that no command shows: smart
// selections per second on a pool of caller IDs. Release build only.
import OutdialKit

#if canImport(Glibc)
    import Glibc
#endif

let poolSize = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 500 : 500
let selections = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 2_000_000 : 2_000_000
let plan = NumberingPlan.shared

// Area codes of the US and Canada that the data places, in a fixed order.
let areaCodes = (200..<1000).filter { plan.areaCode($0)?.centre != nil && ["US", "CA"].contains(plan.areaCode($0)!.country) }
var random = SplitMix64(seed: 42)  // the same pool and leads every run

var pool: [PoolNumber] = []
for i in 0..<poolSize {
    let npa = areaCodes[Int(random.next() % UInt64(areaCodes.count / 2))]  // the pool covers half the area codes
    let number = PhoneNumber(countryCode: 1, national: UInt64(npa) * 10_000_000 + 5_550_000 + UInt64(i), nationalLength: 10)
    pool.append(.placed(id: Int64(i + 1), number: number, plan: plan))
}
let selector = NumberSelector(numbers: pool, settings: SelectionSettings(dailyCap: 1_000_000, cooldown: 0))
let leads: [NumberSelector.Lead] = (0..<10_000).map { _ in
    let npa = areaCodes[Int(random.next() % UInt64(areaCodes.count))]
    let number = PhoneNumber(countryCode: 1, national: UInt64(npa) * 10_000_000 + 2_000_000 + random.next() % 7_000_000, nationalLength: 10)
    return .placed(number, plan: plan)
}
// Warm the nearby cache as a run would after its first minutes.
for lead in leads { _ = selector.select(lead, at: 1_795_622_400) }

var ts = timespec()
clock_gettime(CLOCK_MONOTONIC, &ts)
let start = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
var tiers: [String: Int] = [:]
var chosen = 0
for k in 0..<selections {
    let choice = selector.select(leads[k % leads.count], at: 1_795_622_400)
    if let i = choice.index {
        selector.recordUse(i, at: 1_795_622_400)
        chosen += 1
    }
    if k < 10_000 { tiers[choice.tier?.rawValue ?? "none", default: 0] += 1 }
}
clock_gettime(CLOCK_MONOTONIC, &ts)
let seconds = Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9 - start
let rate = Double(selections) / seconds
print(
    "selection: \(selections) selections on a \(poolSize)-number pool in \(String(format: "%.3f", seconds)) s = \(Int(rate)) per second (target >= 2,000,000)")
print("  tiers of the first 10,000: " + tiers.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
