/// `select` found no caller ID the number could be called from (exit 65): the
/// answer was printed, and the exit code says it is not a choice.
public struct NoCallerIDError: CommandError, Equatable {
    public var phone: String
    public var reason: String

    public init(phone: String, reason: String) {
        self.phone = phone
        self.reason = reason
    }

    public var exitCode: ExitCode { .dataError }
    public var description: String { "no caller ID for \(phone): \(reason)" }
}
