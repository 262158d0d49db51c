import TestSupport
import Testing

@testable import OutdialKit

@Suite struct CampaignRunnerTests {
    /// The runner skips foreign-key enforcement on its own writes; once `run`
    /// returns, the connection enforces it again, and CHECKs throughout.
    @Test func runLeavesTheConnectionCheckingConstraints() throws {
        let dir = try TemporaryDirectory()
        let db = try Store.open(dir.path("a.db"))
        let file = try dir.write(
            "c.yml",
            """
            version: 1
            name: empty
            calling_window: { days: [mon, tue, wed, thu, fri], hours: "09:00-17:00" }
            connections: { main: { provider: simulated, seed: 1 } }
            workflows:
              - name: outbound
                trigger: lead_added
                steps: [ { wait_until_calling_window: {} }, { place_call: { connection: main } } ]
            """)
        var options = RunOptions()
        options.start = Instant(seconds: 1_795_622_400)
        _ = try CampaignRunner(database: db, campaign: try Campaign.load(path: file), options: options).run()
        #expect(try db.scalar("PRAGMA foreign_keys") == 1)
        #expect(try db.scalar("PRAGMA ignore_check_constraints") == 0)
        #expect(throws: StoreError.self) {
            try db.run(
                "INSERT INTO calls (provider, direction, from_number, to_number, status, queued_at) VALUES ('simulated', 'outbound', '+1', '+2', 'bogus', 0)")
        }
    }
}
