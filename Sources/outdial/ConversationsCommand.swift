import OutdialKit

/// `outdial conversations show LEAD`.
enum ConversationsCommand {
    static let command: Command = Command(
        name: "conversations",
        abstract: "Read a lead's messages on every channel.",
        subcommands: [showCommand]
    )

    static let showCommand: Command = Command(
        name: "show",
        abstract: "Show a lead's conversation, in order, per channel.",
        arguments: [Argument(.lead, help: "The lead's id, phone number (any format) or the CSV's own id.")],
        options: [CommonOptions.json],
        run: { invocation in
            let database = try CommonOptions.existingDatabase(invocation)
            let key = invocation.string(.lead) ?? ""
            guard let lead = try LeadStore(database: database).find(key) else { throw NotFoundError(what: "lead", key: key) }
            let messages = try Conversations(database: database).messages(lead: lead.id)
            let output = invocation.output
            if output.json { return output.result(JSONValue.array(messages.map(\.json)).rendered) }
            output.result(Conversations.text(messages))
        }
    )
}
