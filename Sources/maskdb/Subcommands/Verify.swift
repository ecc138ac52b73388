import Store
import StudyCore
import ArgumentParser
import CLISupport
import SQLiteStore

extension MaskDB {
    /// `maskdb verify`: is the database whole?
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verify",
            abstract: "Check the database: SQLite integrity, foreign keys, every stored file's sha256, every density vector.")

        @OptionGroup var store: StoreOptions

        func run() throws {
            let database: SQLiteStore
            var problems: [String]
            do {
                database = try store.open()
                problems = try database.verify()
            } catch StoreError.damaged {
                // Too damaged to open as a store: SQLite's check alone says where.
                problems = try SQLiteStore.integrityProblems(path: store.path)
                if problems.isEmpty { problems = ["SQLite reports the file damaged, but its check finds no damaged page"] }
                for problem in problems { Output.error("maskdb: error: \(store.path): \(problem)") }
                throw ExitCode.failure
            }
            guard problems.isEmpty else {
                for problem in problems { Output.error("maskdb: error: \(database.path): \(problem)") }
                throw ExitCode.failure
            }
            let masks = try database.masks().count
            Output.print("\(database.path): ok (\(masks) masks, every stored file and density vector checked)")
        }
    }
}
