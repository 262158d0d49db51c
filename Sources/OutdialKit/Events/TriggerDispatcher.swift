/// Which workflows an event starts: the campaign's triggers and their filters.
struct TriggerDispatcher {
    let workflows: [Workflow]

    /// The numbers (places in the campaign file) of the `call_completed`
    /// workflows whose outcome, sentiment and connection filters the call passes.
    func workflows(forCallWith report: CallReport, connection: String) -> [Int] {
        workflows.indices.filter { number in
            guard case .callCompleted(let outcomes, let sentiments, let connections) = workflows[number].trigger else { return false }
            if !outcomes.isEmpty, !outcomes.contains(report.outcome.rawValue) { return false }
            if !sentiments.isEmpty, !sentiments.contains(report.sentiment?.rawValue ?? "") { return false }
            if !connections.isEmpty, !connections.contains(connection) { return false }
            return true
        }
    }

    /// The `message_received` workflows listening on the channel.
    func workflows(forMessageOn channel: String, tags: [String]) -> [Int] {
        workflows.indices.filter { number in
            guard case .messageReceived(let filter) = workflows[number].trigger else { return false }
            return filter.admits(channel: channel, tags: tags)
        }
    }

    /// The workflows a lead's enrolment starts.
    var leadAdded: [Int] { workflows.indices.filter { workflows[$0].trigger == .leadAdded } }
}
