/// Human output of `outdial plan`.
public enum PlanReport {
    public static func text(summary: PlanSummary, shown: [PlanEntry], campaign: String, at: Instant) -> String {
        var text = "Plan for \(campaign) at \(at.iso8601): \(summary.leads) leads"
        if let outOf = summary.outOf { text += " (the audience's, of \(outOf) in the database)" }
        text += " — "
        text +=
            ["ready", "waiting", "blocked", "done"].map { "\(summary.byStatus[PlanEntry.Status(rawValue: $0)!] ?? 0) \($0)" }.joined(separator: ", ") + ".\n\n"
        let codes = summary.byCode.sorted { $0.value == $1.value ? $0.key < $1.key : $0.value > $1.value }
        text += TextTable.render(header: ["BY REASON", "LEADS"], rows: codes.map { [$0.key, String($0.value)] })
        if !summary.byTier.isEmpty {
            let tiers = NumberSelector.Tier.allCases.compactMap { tier in summary.byTier[tier.rawValue].map { [tier.rawValue, String($0)] } }
            text += "\n" + TextTable.render(header: ["BY TIER", "LEADS"], rows: tiers)
        }
        if !summary.cappedNumbers.isEmpty {
            text += "\nNumbers that reach their daily cap: " + summary.cappedNumbers.map { "\($0.number) (\($0.cap))" }.joined(separator: ", ") + "\n"
        }
        if !shown.isEmpty {
            let rows = shown.map { e in
                [
                    String(e.leadID), e.phone, e.status.rawValue, e.nextOpen.map { Instant(seconds: $0).iso8601 } ?? "-", e.number ?? "-",
                    e.tier?.rawValue ?? "-", e.reason,
                ]
            }
            text += "\n" + TextTable.render(header: ["LEAD", "PHONE", "STATUS", "NEXT OPEN", "NUMBER", "TIER", "REASON"], rows: rows)
        }
        return text
    }
}
