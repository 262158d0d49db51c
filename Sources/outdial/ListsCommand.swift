import OutdialKit

/// `outdial lists`: the lead lists with their sizes.
enum ListsCommand {
    static let command: Command = Command(
        name: "lists",
        abstract: "Show the lead lists and their sizes.",
        discussion: """
            A list is filled by `outdial leads import FILE --list NAME` (a lead may be in several; a re-import adds, never removes). A campaign's `audience: { lists: [NAME] }` enrols only the leads of those lists.
            """,
        options: [CommonOptions.json],
        run: { invocation in
            let database = try CommonOptions.existingDatabase(invocation)
            let lists = try LeadLists(database: database).all()
            let output = invocation.output
            if output.json {
                output.jsonLines(lists.map(\.json))
                return
            }
            guard !lists.isEmpty else {
                output.info("No lists yet: import leads with `outdial leads import FILE --list NAME`.")
                return
            }
            output.result(TextTable.render(header: ["LIST", "LEADS", "CREATED"], rows: lists.map { [$0.name, String($0.leads), $0.createdAt.iso8601] }))
        }
    )
}
