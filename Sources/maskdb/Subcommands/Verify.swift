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
            let database = try store.open()
            let problems = try database.verify()
            guard problems.isEmpty else {
                for problem in problems { Output.error("maskdb: error: \(database.path): \(problem)") }
                throw ExitCode.failure
            }
            let masks = try database.masks().count
            Output.print("\(database.path): ok (\(masks) masks, every stored file and density vector checked)")
        }
    }
}
