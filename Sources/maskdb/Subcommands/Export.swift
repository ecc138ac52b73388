import Store
import StudyCore
import ArgumentParser
import CLISupport
import Foundation
import SQLiteStore
import NIfTI

extension MaskDB {
    /// `maskdb export`: write a recorded mask's file back out.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export",
            abstract: "Write a recorded mask's NIfTI file, byte for byte as it was imported.")

        @OptionGroup var store: StoreOptions

        /// The mask.
        @Argument(help: ArgumentHelp("A mask id or sha256 (prefix).", valueName: "target"))
        var target: String

        /// Where to write.
        @Option(name: .shortAndLong, help: ArgumentHelp("The file to write ('-': standard output).", valueName: "file"))
        var output: String

        /// Overwrite an existing file.
        @Flag(help: "Overwrite the output file if it exists.")
        var force = false

        func run() throws {
            let database = try store.open()
            let maskID = try database.resolveRecordedMask(target)
            let toStandardOutput = output == "-"
            if !toStandardOutput && !force && FileManager.default.fileExists(atPath: output) {
                throw StoreError.unwritable(path: output, reason: "it exists; pass --force to overwrite it")
            }
            let bytes = try database.maskFileBytes(maskID: maskID)
            let summary = "\(toStandardOutput ? "standard output" : output): \(bytes.count) bytes, sha256 \(SHA256Digest.hex(bytes))"
            if toStandardOutput {
                // The bytes alone on stdout, for a pipe; what was written on stderr.
                Output.write(bytes)
                Output.error(summary)
            } else {
                try FileBytes.write(bytes, to: output)
                Output.print(summary)
            }
        }
    }
}
