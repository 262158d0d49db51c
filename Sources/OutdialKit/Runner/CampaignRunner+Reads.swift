/// Where the runner reads: the runs other processes add, in its own
/// transactions, and what a run's steps read (its lead, call, message and
/// window answers) through `RunEnvironment`.
extension CampaignRunner {

    /// A transaction of the runner's: runs other processes added since the
    /// last look are read in first, so every row above `lastRunID` is one of ours.
    func write<T>(_ body: () throws -> T) throws -> T {
        try database.transaction {
            try readNewRuns()
            return try body()
        }
    }

    /// Queues the waiting runs of the campaign not seen yet. The highest id
    /// is read first: a run another process (`serve`, `ingest`) commits while
    /// the waiting ones are read has a higher id, and is read next time.
    func readNewRuns() throws {
        if lastRunID == 0 { wakes.reserve(try runs.waitingCount()) }
        let highest = try runs.highestID()
        guard highest > lastRunID else { return }
        try runs.waiting(after: lastRunID, through: highest) { id, workflow, leadID, state, wakeMs, reason in
            var run = QueuedRun(id: id, workflow: workflowNumber(workflow), leadID: leadID, position: state.position, context: state.context, wakeMs: wakeMs)
            run.waitReason = reason
            wakes.push(run)
        }
        lastRunID = highest
    }

    /// The number of a workflow name (see `workflowNames`).
    func workflowNumber(_ name: String) -> Int32 {
        if let number = workflowNumbers[name] { return number }
        let number = Int32(workflowNames.count)
        workflowNames.append(name)
        workflowNumbers[name] = number
        return number
    }

    // MARK: - What runs read

    func lead(_ id: Int64) throws -> LeadRecord? { try leads.lead(id) }
    func call(_ id: Int64) throws -> CallRecord? { try calls.record(id) }

    /// An inbound message's fields, as templates read them (`message.text` …).
    func message(_ id: Int64) throws -> [String: String] {
        try database.query("SELECT body, channel, from_addr, to_addr FROM messages WHERE id = ?", [.integer(id)]) {
            ["id": String(id), "text": $0.string(0) ?? "", "channel": $0.string(1) ?? "", "from": $0.string(2) ?? "", "to": $0.string(3) ?? ""]
        }.first ?? [:]
    }
    func window(for lead: LeadRecord, at t: Int64) -> WindowCheck { gate.window(slot: gate.slot(for: DialLead(lead)), at: t) }
    func window(forKnownLead id: Int64, at t: Int64) -> WindowCheck? { gate.knownSlot(id).map { gate.window(slot: $0, at: t) } }
    func writeTags(_ tags: [String], of leadID: Int64, at clock: Int64) throws { try actions.write(tags: tags, of: leadID, at: clock) }

    /// The provider's id of a caller ID of the pool.
    func providerNumberID(of e164: String) -> String? {
        guard let key = PhoneNumber(e164: e164)?.key, let index = gate.selector.index(of: key) else { return nil }
        return gate.selector.numbers[index].providerNumberID
    }
}
