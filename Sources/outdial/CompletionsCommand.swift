import OutdialKit

/// `outdial completions bash|zsh|fish`.
enum CompletionsCommand {
    static let command: Command = Command(
        name: "completions",
        abstract: "Print a shell completion script.",
        discussion: "Load it in bash with: source <(outdial completions bash)",
        arguments: [Argument(.shell, help: "The shell to complete for.", kind: .choice(CompletionScript.shells))],
        run: { invocation in
            let shell = invocation.string(.shell) ?? "bash"
            if let script = CompletionScript.script(for: shell, root: OutdialCommands.root) {
                invocation.output.result(script)
            }
        }
    )
}
