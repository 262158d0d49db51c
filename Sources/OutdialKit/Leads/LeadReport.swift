/// Human-readable text for a lead (`leads show`) and an import summary.
public enum LeadReport {
    public static func text(_ lead: LeadRecord, lists: [String] = []) -> String {
        var lines: [(String, String)] = []
        let name = [lead.firstName, lead.lastName].compactMap { $0 }.joined(separator: " ")
        lines.append(("Lead", "\(lead.id)" + (lead.externalID.map { " (id \($0))" } ?? "") + (name.isEmpty ? "" : " — \(name)")))
        lines.append(
            (
                "Phone",
                lead.phone.isEmpty
                    ? "none (a contact who wrote first by email or a handle; not called)"
                    : lead.phone + (lead.phoneSource.map { " (from the \($0) column)" } ?? "")
            ))
        if let email = lead.email { lines.append(("Email", email)) }
        let state = lead.state.map { $0 + (lead.stateSource.map { " (from \(Self.sourceName($0)))" } ?? "") } ?? "unknown"
        lines.append(("State", state))
        if let zip = lead.zip { lines.append(("ZIP", zip)) }
        if let country = lead.country { lines.append(("Country", country)) }
        let sources = LeadRecord.parse(lead.zoneSources)
        var zoneLines: [String] = []
        for zone in lead.zones {
            var from: [String] = []
            if case .object(let pairs) = sources, let entry = pairs.first(where: { $0.0 == zone })?.1, case .array(let items) = entry {
                from = items.compactMap { if case .string(let s) = $0 { return Self.sourceName(s) } else { return nil } }
            }
            zoneLines.append(zone + (from.isEmpty ? "" : " (from \(from.joined(separator: " and ")))"))
        }
        lines.append(
            ("Zones", zoneLines.isEmpty ? "none known: the lead is not called unless the campaign sets defaults.timezone" : zoneLines.joined(separator: "\n")))
        if lead.zoneConflict {
            lines.append(
                ("", "zone conflict: the timezone column (\(lead.timezone ?? "")) agrees with neither the phone nor the address; called only when open in all"))
        }
        lines.append(("Status", lead.dnc ? "\(lead.status), on the do-not-call list" : lead.status))
        if !lead.tags.isEmpty { lines.append(("Tags", lead.tags.joined(separator: ", "))) }
        if !lists.isEmpty { lines.append(("Lists", lists.joined(separator: ", "))) }
        if case .object(let pairs) = LeadRecord.parse(lead.fields), !pairs.isEmpty {
            lines.append(("Fields", pairs.map { "\($0.0): \($0.1.plainText)" }.joined(separator: "\n")))
        }
        if let line = lead.sourceLine { lines.append(("Imported", "from line \(line), \(lead.createdAt.iso8601)")) }
        var text = ""
        for (label, value) in lines {
            let parts = value.split(separator: "\n", omittingEmptySubsequences: false)
            text += (label.isEmpty ? "" : label + ":").padding(10) + parts[0] + "\n"
            for part in parts.dropFirst() { text += String(repeating: " ", count: 10) + part + "\n" }
        }
        return text
    }

    /// Calls, notes and tasks under the lead's details.
    public static func activityText(_ activity: JSONValue) -> String {
        guard case .object(let sections) = activity else { return "" }
        var text = ""
        for (name, value) in sections {
            guard case .array(let items) = value, !items.isEmpty else { continue }
            text += "\n\(name.capitalized):\n"
            for item in items {
                guard case .object(let fields) = item else { continue }
                let shown = fields.filter { if case .null = $0.1 { return false } else { return true } }
                text += "  " + shown.map { "\($0.0) \($0.1.plainText)" }.joined(separator: ", ") + "\n"
            }
        }
        return text
    }

    static func sourceName(_ source: String) -> String {
        switch source {
        case "prefix": return "phone prefix"
        case "address": return "address"
        case "timezone": return "timezone column"
        case "state": return "state column"
        case "zip": return "ZIP"
        case "phone": return "phone area code"
        default: return source
        }
    }
}

extension LeadImportSummary {
    /// `leads import --json` (SPEC §3.1).
    public var json: JSONValue {
        JSONObject([
            "rows": .int(Int64(rows)), "imported": .int(Int64(imported)), "updated": .int(Int64(updated)),
            "duplicates": .int(Int64(duplicates)), "rejected": .int(Int64(rejected)), "dnc": .int(Int64(dnc)),
            "rejects_file": .optional(rejectsFile),
            "extensions_dropped": .int(Int64(extensionsDropped)), "repaired": .int(Int64(repaired)),
            "timezones_not_understood": .int(Int64(timezonesNotUnderstood)),
            "zone_conflicts": .int(Int64(zoneConflicts)), "zips_not_understood": .int(Int64(zipsNotUnderstood)),
            "warnings": .int(Int64(warningCount)), "warnings_file": .optional(warningsFile),
            "list": .optional(list), "listed": .int(Int64(listed)), "list_size": .int(Int64(listSize)),
        ])
    }
}

extension JSONValue {
    /// A value as a person reads it: strings bare, everything else as JSON.
    public var plainText: String {
        if case .string(let s) = self { return s }
        return rendered
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }
}
