/// An import whose every row was rejected (exit 65): nothing went in, and a
/// script that checks the exit code must not take that for success. Each row's
/// reason was printed with its line before this ends the command.
public struct RowsRejectedError: CommandError, Equatable {
    public var file: String
    public var rows: Int

    public init(file: String, rows: Int) {
        self.file = file
        self.rows = rows
    }

    /// The error when `rows` rows were read and none of them went in, else nil.
    public static func check(file: String, rows: Int, rejected: Int) -> RowsRejectedError? {
        rows > 0 && rejected == rows ? RowsRejectedError(file: file, rows: rows) : nil
    }

    public var exitCode: ExitCode { .dataError }
    public var description: String {
        "every row of \(file) was rejected (\(rows) row\(rows == 1 ? "" : "s"), each listed with its reason); nothing was imported"
    }
}
