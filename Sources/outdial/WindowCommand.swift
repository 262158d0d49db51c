import OutdialKit

/// `outdial window PHONE`.
enum WindowCommand {
    static let command: Command = Command(
        name: "window",
        abstract: "Tell whether a number may be called now, and when.",
        discussion: """
            Gates the number the way a campaign would: on every candidate time zone (its own timezone when given, else the phone prefix's zones together with the address state's), under the US federal window and the state rules of the address and of the area code, or Canada's national hours. Without --campaign only these compliance layers apply.
            """,
        arguments: [Argument(.phone, help: "The number, in any format.")],
        options: [
            .value(.state, "code", help: "The person's state or province (code or name)."),
            .value(.zip, "zip", help: "The person's US ZIP code (when --state is not given)."),
            .value(.timezone, "zone", help: "The person's IANA time zone or US abbreviation; trusted alone."),
            .value(.at, "time", .instant, help: "The instant to answer for. (default: now)"),
            .value(.region, "code", help: "Region for numbers written without a country code.", default: "US"),
            .value(.campaign, "file", .path, help: "Gate on this campaign's window and compliance settings too."),
            .value(.rules, "path", .path, help: "A compliance rules file replacing the built-in table."),
            CommonOptions.json,
        ],
        run: run
    )

    @Sendable static func run(_ invocation: Invocation) throws {
        let region = try CommonOptions.region(invocation)
        let number = try CommonOptions.phone(invocation, region: region)
        let campaign = try invocation.string(.campaign).map(Campaign.load(path:))
        var policy = try campaign?.windowPolicy() ?? CallingWindowPolicy()
        if let path = invocation.string(.rules) { policy.rules = try ComplianceRules.load(path: path) }
        let gate = WindowGate(policy: policy)
        let report: WindowReport
        do {
            report = try WindowReport.make(
                number: number, state: invocation.string(.state), zip: invocation.string(.zip), timezone: invocation.string(.timezone),
                at: invocation.instant(.at) ?? .now, gate: gate, defaultTimezone: campaign?.defaults.timezone)
        } catch {
            let option: String
            switch error {
            case .state: option = "--state <code>"
            case .zip: option = "--zip <zip>"
            case .timezone: option = "--timezone <zone>"
            }
            throw invocation.usageError("The value is invalid for '\(option)': \(error).")
        }
        let output = invocation.output
        if output.json {
            output.result(report.json.rendered)
        } else {
            // The report holds validated values only (its colour codes are outdial's own).
            Terminal.writeRaw(report.text(styled: output.styled), to: .standardOutput)
        }
    }
}
