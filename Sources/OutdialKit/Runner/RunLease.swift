import Foundation

/// One `run` per campaign and database: the runner holds a lease (the
/// `lease` value of `campaign_state`: pid, host, since, heartbeat) taken in a
/// write transaction, renewed as it runs and given back when it stops. A
/// second `run` of the same campaign is refused while the holder lives; a
/// lease whose holder is gone (its pid, on this host) or stopped renewing it
/// (on another host) is taken over.
struct RunLease {
    let runs: RunStore
    let holder: Holder
    /// A lease not renewed for this long (wall seconds) is stale.
    static let staleAfter: Int64 = 60

    struct Holder: Equatable {
        var pid: Int32
        var host: String
        var since: Int64
        var heartbeat: Int64

        var text: String { "\(pid) \(since) \(heartbeat) \(host)" }

        /// This process itself (a runner it abandoned), or a process of this host that is not there any more.
        func isGone(from me: Holder) -> Bool {
            guard host == me.host else { return false }
            return pid == me.pid || (kill(pid, 0) != 0 && errno == ESRCH)
        }

        init(pid: Int32, host: String, since: Int64, heartbeat: Int64) {
            self.pid = pid
            self.host = host
            self.since = since
            self.heartbeat = heartbeat
        }

        init?(_ text: String) {
            let parts = text.split(separator: " ", maxSplits: 3).map(String.init)
            guard parts.count == 4, let pid = Int32(parts[0]), let since = Int64(parts[1]), let beat = Int64(parts[2]) else { return nil }
            self.init(pid: pid, host: parts[3], since: since, heartbeat: beat)
        }
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }
    static var host: String { ProcessInfo.processInfo.hostName }

    /// Takes the lease for this process, or throws `RunLeaseError` naming the holder.
    /// Returns the stale lease it took over, if any.
    static func take(_ runs: RunStore, campaign: String, at now: Int64 = RunLease.now) throws -> (RunLease, tookOver: Holder?) {
        let me = Holder(pid: getpid(), host: host, since: now, heartbeat: now)
        let taken: Holder? = try runs.database.transaction {
            let held = try runs.state("lease").flatMap(Holder.init)
            // Refused while the holder lives: a fresh heartbeat, or its pid still
            // there on this host; a holder on another host is judged by its heartbeat.
            if let held, !held.isGone(from: me), now - held.heartbeat < staleAfter || held.host == me.host {
                throw RunLeaseError(campaign: campaign, holder: held)
            }
            try runs.setState("lease", me.text)
            return held
        }
        return (RunLease(runs: runs, holder: me), taken)
    }

    /// Renews the lease (inside the caller's transaction).
    func renew(at now: Int64 = RunLease.now) throws {
        var beat = holder
        beat.heartbeat = now
        try runs.setState("lease", beat.text)
    }

    /// Gives the lease back, if it is still this process's.
    func release() throws {
        try runs.database.transaction {
            guard let held = try runs.state("lease").flatMap(Holder.init), held.pid == holder.pid, held.host == holder.host else { return }
            try runs.removeState("lease")
        }
    }
}

/// Another `run` of the campaign holds its lease (exit 75: try again when it is done).
public struct RunLeaseError: Error, Sendable, CustomStringConvertible {
    public var campaign: String
    var holder: RunLease.Holder
    public var description: String {
        "campaign \(campaign) is being run by pid \(holder.pid) on host \(holder.host) since \(Instant(seconds: holder.since).iso8601) (last seen \(Instant(seconds: holder.heartbeat).iso8601)); one run per campaign and database"
    }
}

extension RunLeaseError: CommandError { public var exitCode: ExitCode { .temporaryFailure } }
