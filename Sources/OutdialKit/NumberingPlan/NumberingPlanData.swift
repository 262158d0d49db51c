/// The generated tables (see `scripts/numbering-plan/generate.py`), as text
/// compiled into the binary. Each table is tab-separated, one row a line;
/// zone columns hold comma-separated indices into `zones`.
enum NumberingPlanData {}

extension NumberingPlanData {
    /// Calls `body` with the tab-separated fields of every line of a table,
    /// as byte slices, without building a `String` per field.
    static func forEachRow(_ table: String, _ body: ([Substring.UTF8View]) -> Void) {
        for line in table.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            body(line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false).map { Substring($0).utf8 })
        }
    }

    static func int(_ field: Substring.UTF8View) -> Int? {
        guard !field.isEmpty else { return nil }
        var value = 0
        for byte in field {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
        }
        return value
    }

    static func double(_ field: Substring.UTF8View) -> Double? {
        field.isEmpty ? nil : Double(Substring(field))
    }

    static func text(_ field: Substring.UTF8View) -> String? {
        field.isEmpty ? nil : String(Substring(field))
    }

    static func indices(_ field: Substring.UTF8View) -> [Int16] {
        field.split(separator: UInt8(ascii: ",")).compactMap { int(Substring($0).utf8).map(Int16.init) }
    }
}
