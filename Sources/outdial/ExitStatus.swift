import OutdialKit

/// The one place an error becomes an exit code: each error type of the
/// library says its own (`CommandError`); anything else is a bug.
enum ExitStatus {
    static let success = ExitCode.success.rawValue

    /// The exit code for an error and what to print on stderr.
    static func describe(_ error: any Error) -> (Int32, String) {
        if let error = error as? any CommandError { return (error.exitCode.rawValue, error.rendered) }
        return (ExitCode.software.rawValue, "internal error: \(error)\nThis is a bug in outdial; please report it with the command that gave it.\n")
    }
}
