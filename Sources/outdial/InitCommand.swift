import OutdialKit

/// `outdial init`: create or migrate the database.
enum InitCommand {
    static let command: Command = Command(
        name: "init",
        abstract: "Create or migrate a campaign database.",
        discussion:
            "Creates the database file if it does not exist and applies any schema migrations it lacks. Running it again on a current database changes nothing.",
        options: [CommonOptions.json],
        run: run
    )

    @Sendable static func run(_ invocation: Invocation) throws {
        let path = try CommonOptions.databasePath(invocation)
        let report = try Store.initialize(path)
        // Earlier versions simulated in the campaign's own database; say so once, with the way out.
        let database = try Database(path: path)
        let simulated = try SimulationCopy.isCopy(database) ? 0 : try SimulatedCallPurge(database: database).count()
        let output = invocation.output
        if output.json {
            output.result(
                JSONObject([
                    "path": .string(path), "action": .string(report.action.rawValue), "from_version": .int(Int64(report.from)),
                    "to_version": .int(Int64(report.to)), "applied": .array(report.applied.map(JSONValue.string)),
                    "simulated_calls": .int(Int64(simulated)),
                ]).rendered)
            return
        }
        switch report.action {
        case .created: output.result("Created \(path) (schema version \(report.to)).")
        case .migrated:
            output.result("Migrated \(path) from schema version \(report.from) to \(report.to).")
            // A new file has every step; a migrated one says which it took.
            for step in report.applied { output.info("  applied: \(step)") }
        case .current: output.result("\(path) is current (schema version \(report.to)); nothing to do.")
        }
        if simulated > 0 {
            output.warning(
                "\(path) holds \(simulated) simulated calls from an earlier version's simulations, counted with the real ones; `outdial --db \(path) calls purge --simulated` removes them"
            )
        }
    }
}
