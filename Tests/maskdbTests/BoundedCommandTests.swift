import Foundation
import NIfTIFixtures
import Testing

/// Issue 14 from the command line: the mask size limit in `inspect` and `densities`, set
/// by `MASKDB_MAX_VOXELS`, and `sql` printing rows while its query still runs.
struct BoundedCommandTests {
    let scratch: ScratchFolder

    init() throws { scratch = try ScratchFolder() }

    @Test func inspectAndDensitiesRefuseAFileOverTheLimitInOneLine() throws {
        let path = try FixtureFile.scaledBigEndian.write(named: "m.nii.gz", in: scratch, gzip: true)
        for command in ["inspect", "densities"] {
            let result = try CLI.run(environment: ["MASKDB_MAX_VOXELS": "11"], command, path)
            #expect(result.status == 1, "\(command)")
            #expect(result.stderr == "maskdb: error: \(path): the header declares 3 x 2 x 2 = 12 int16 voxels (24 bytes), more than a mask may have (11 voxels; MASKDB_MAX_VOXELS sets the limit); refused before decoding\n", "\(command)")
            // At the limit the file is read (densities then refuses its values, out of [0, 1]).
            let atLimit = try CLI.run(environment: ["MASKDB_MAX_VOXELS": "12"], command, path)
            #expect(!atLimit.stderr.contains("MASKDB_MAX_VOXELS") && (command == "densities" || atLimit.status == 0), "\(command)")
        }
    }

    @Test(.timeLimit(.minutes(1))) func sqlPrintsRowsWhileAnEndlessQueryRuns() throws {
        let db = scratch.path("s.sqlite")
        #expect(try CLI.run("init", "--db", db).status == 0)
        let process = Process()
        process.executableURL = CLI.productsDirectory.appendingPathComponent("maskdb")
        process.arguments = ["sql", "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c", "--db", db, "--format", "csv"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // The first 64 KiB of rows, read while the query goes on forever.
        var text = Data()
        while text.count < 1 << 16, let chunk = try out.fileHandleForReading.read(upToCount: 1 << 16), !chunk.isEmpty { text += chunk }
        try out.fileHandleForReading.close()  // like `| head`: the next write ends the process (SIGPIPE)
        process.waitUntilExit()
        #expect(String(decoding: text, as: UTF8.self).hasPrefix("x\n1\n2\n3\n"))
        #expect(process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGPIPE)
    }
}
