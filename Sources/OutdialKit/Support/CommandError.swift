import CSQLite

/// The exit codes of outdial's commands (docs/cli.md).
public enum ExitCode: Int32, Sendable {
    case success = 0
    /// A runtime failure the operator can act on (a lead that is not there …).
    case failure = 1
    case usage = 64
    case dataError = 65
    case noInput = 66
    /// An error outdial did not expect: a bug.
    case software = 70
    case ioError = 74
    case temporaryFailure = 75
}

/// An error a command can end with: each error type of the library says its
/// exit code and what stderr shows, so a new error type has to choose one (an
/// error that adopts nothing exits 70 as a bug).
public protocol CommandError: Error, CustomStringConvertible {
    var exitCode: ExitCode { get }
    /// What stderr shows; by default `error: <description>`.
    var rendered: String { get }
}

extension CommandError {
    public var rendered: String { "error: \(description)\n" }
}

extension UsageError: CommandError { public var exitCode: ExitCode { .usage } }
extension StoreError: CommandError {
    public var exitCode: ExitCode { isBusy ? .temporaryFailure : .ioError }
    public var rendered: String {
        if isBusy { return "error: \(self)\nThe database stayed locked by another process; try again when it is done.\n" }
        if primaryCode == SQLITE_READONLY, let path {
            return "error: \(ReadOnlyDatabaseError(path: path, upgrade: false))\n"
        }
        return "error: \(self)\n"
    }
}
extension MigrationError: CommandError { public var exitCode: ExitCode { .dataError } }
extension CSVError: CommandError { public var exitCode: ExitCode { .dataError } }
extension PhoneNumberError: CommandError { public var exitCode: ExitCode { .dataError } }
extension CampaignFileError: CommandError {
    public var exitCode: ExitCode { .dataError }
    public var rendered: String { all.map { "error: \($0.file):\($0.line):\($0.column): \($0.message)\n" }.joined() }
}
extension WindowSpecError: CommandError { public var exitCode: ExitCode { .dataError } }
extension WorkflowError: CommandError { public var exitCode: ExitCode { .dataError } }
extension TimeParseError: CommandError { public var exitCode: ExitCode { .dataError } }
extension LeadImportError: CommandError { public var exitCode: ExitCode { .dataError } }
extension InputFileError: CommandError { public var exitCode: ExitCode { .noInput } }
extension OutputFileError: CommandError { public var exitCode: ExitCode { .ioError } }
extension NotFoundError: CommandError { public var exitCode: ExitCode { .failure } }
