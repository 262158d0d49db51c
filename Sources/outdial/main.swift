import OutdialKit

#if canImport(Glibc)
    import Glibc
#endif

// The entry point: parse, run, and turn whatever went wrong into a message and
// an exit code (SPEC §3). This is the only place errors become exit codes.
let environment = ProcessInfoEnvironment.current
let parser = CommandParser(root: OutdialCommands.root)
do {
    switch try parser.parse(Array(CommandLine.arguments.dropFirst()), environment: environment) {
    case .help(let text):
        Terminal.write(text, to: .standardOutput)
    case .version(let version):
        Terminal.write(version + "\n", to: .standardOutput)
    case .run(let run, let invocation):
        try await run(invocation)
    }
    exit(ExitStatus.success)
} catch {
    let (status, message) = ExitStatus.describe(error)
    Terminal.write(message, to: .standardError)
    exit(status)
}
