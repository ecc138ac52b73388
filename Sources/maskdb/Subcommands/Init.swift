import Store
import StudyCore
import ArgumentParser
import CLISupport
import SQLiteStore

extension MaskDB {
    /// `maskdb init`: create a database.
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "init",
            abstract: "Create the database and register the AAL2 atlas (a no-op when it exists).")

        @OptionGroup var store: StoreOptions

        /// A study to create.
        @Option(help: "Also create a study with this name.")
        var study: String?

        func run() throws {
            let database = try store.open(create: true)
            // A new file is made with its atlases (SQLiteStore.open): initialized too.
            let added = try database.initialize(study: study, command: InvocationText.current) || database.created
            let studies = try database.studyNames()
            Output.print(
                (added ? "initialized " : "already initialized: ") + database.path
                    + " (atlases: \(try database.atlasNames().joined(separator: ", "))"
                    + (studies.isEmpty ? ")" : "; studies: \(studies.joined(separator: ", ")))"))
        }
    }
}
