/// Some events could not be used (exit 65): the others are in.
public struct IngestRejects: CommandError {
    public var count: Int
    public init(count: Int) { self.count = count }
    public var description: String { "\(count) event\(count == 1 ? "" : "s") could not be used (each is listed with its line); the others were recorded" }
    public var exitCode: ExitCode { .dataError }
}
