import Foundation
import OutdialKit

/// `outdial status [CAMPAIGN] [--watch]`.
enum StatusCommand {
    static let command: Command = Command(
        name: "status",
        abstract: "Show a campaign now: calls in flight, today's calls, what waits and why, the runner and the last error.",
        discussion: """
            CAMPAIGN is the campaign file or the campaign's name; it may be left out when the database holds one campaign. With the file, the time the calling window next opens is shown. --watch redraws the status every --interval seconds until Ctrl-C.
            """,
        arguments: [Argument(.campaign, help: "The campaign file or name.", optional: true)],
        options: [
            .flag(.watch, help: "Redraw every few seconds until Ctrl-C."),
            .value(.interval, "seconds", .integer(1...3600), help: "Seconds between redraws with --watch.", default: "2"),
            .value(.at, "time", .instant, help: "Read 'now' at this instant (default: a simulation's own clock, else the wall clock)."),
            CommonOptions.json,
        ],
        run: { invocation in
            let database = try CommonOptions.existingDatabase(invocation)
            let builder = ReportBuilder(database: database)
            let (name, file) = try ReportCommand.campaign(invocation, builder)
            let output = invocation.output
            func show() throws {
                let status = try builder.status(campaign: name, file: file, now: invocation.instant(.at))
                output.result(output.json ? status.json.rendered : status.text)
            }
            guard invocation.flag(.watch) else { return try show() }
            let interval = UInt32(invocation.int(.interval) ?? 2)
            let terminal = isatty(1) == 1 && !output.json
            while true {
                // On a terminal the screen is cleared and the status drawn at the top; elsewhere each status follows the last.
                if terminal { Terminal.write("\u{1B}[H\u{1B}[2J", to: .standardOutput) }
                try show()
                if !terminal { output.result("") }
                sleep(interval)
            }
        }
    )
}
