/// What a run shows while it runs, on stderr: on a terminal one line redrawn
/// each second; elsewhere (a log file, a service) a line a minute for a live
/// run and none for a simulation, which ends in seconds. A live run shows its
/// calls in flight and their outcomes; a simulation the virtual time it has
/// reached, its calls and the workflow runs still waiting.
public final class RunProgress {
    private let terminal: Bool
    private let enabled: Bool
    private let simulated: Bool
    private var last: Int64 = 0
    private var drawn = false

    public init(output: Output, simulated: Bool) {
        terminal = Terminal.isTerminal(.standardError)
        enabled = !output.quiet && !output.json && (terminal || !simulated)
        self.simulated = simulated
    }

    public func update(_ summary: RunSummary) {
        guard enabled else { return }
        let now = Instant.now.seconds
        guard now - last >= (terminal ? 1 : 60) else { return }
        last = now
        let line = simulated ? Self.simulationLine(summary) : Self.line(summary, at: now)
        if terminal {
            Terminal.writeRaw("\r" + Terminal.escapingControls(line) + "\u{1B}[K", to: .standardError)
            drawn = true
        } else {
            Terminal.write(Instant(seconds: now).iso8601 + " " + line + "\n", to: .standardError)
        }
    }

    /// Clears the line before the summary is printed.
    public func finish() {
        if drawn { Terminal.writeRaw("\r\u{1B}[K", to: .standardError) }
    }

    static func line(_ s: RunSummary, at now: Int64) -> String {
        var parts = ["\(s.inFlight) in flight", "\(s.callsPlaced) placed"]
        parts += outcomes(s)
        if s.throttled > 0 { parts.append("\(s.throttled) throttled") }
        if s.unknown > 0 { parts.append("\(s.unknown) unknown") }
        return parts.joined(separator: " · ")
    }

    /// `SIMULATED 2026-11-24T15:00:00Z · 1200 placed · 3100 waiting · answered 400, …`
    static func simulationLine(_ s: RunSummary) -> String {
        (["SIMULATED \(s.clockEnd.iso8601)", "\(s.callsPlaced) placed", "\(s.waiting) waiting"] + outcomes(s)).joined(separator: " · ")
    }

    private static func outcomes(_ s: RunSummary) -> [String] {
        let ended = s.outcomes.values.reduce(0, +)
        guard ended > 0 else { return [] }
        return ["\(ended) ended (" + s.outcomes.sorted { $0.key < $1.key }.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ") + ")"]
    }
}
