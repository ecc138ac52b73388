import Foundation
import NIfTIFixtures
import Testing

@testable import Import

/// Path patterns: what they match in a folder tree, what their captures take, and the
/// manifest they make (glob semantics as bash's with globstar).
struct PathPatternTests {
    let scratch: ScratchFolder
    var root: URL { scratch.url }

    init() throws {
        scratch = try ScratchFolder(prefix: "maskdb-pattern")
    }

    /// Empty files at `paths` (relative to the root), with their folders.
    func touch(_ paths: String...) throws {
        for path in paths {
            let url = root.appendingPathComponent(path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data().write(to: url)
        }
    }

    /// The paths `pattern` matches under the root.
    func matched(_ pattern: String) throws -> [String] {
        try PathPattern(pattern).files(under: root.path).map(\.path)
    }

    /// What each file's captures took, as "path: field=text ...".
    func captured(_ pattern: String) throws -> [String] {
        try PathPattern(pattern).files(under: root.path).map { file in
            ([file.path + ":"] + file.captures.map { "\($0.field)=\($0.text)" }).joined(separator: " ")
        }
    }

    @Test func aStarMatchesWithinOneNameAndAQuestionMarkOneCharacter() throws {
        try touch("a/m.nii.gz", "a/b/m.nii.gz", "ab/m.nii.gz", "abc/m.nii.gz", "m.nii.gz")
        #expect(try matched("*/m.nii.gz") == ["a/m.nii.gz", "ab/m.nii.gz", "abc/m.nii.gz"])
        #expect(try matched("a?/m.nii.gz") == ["ab/m.nii.gz"])
        #expect(try matched("a??/*.gz") == ["abc/m.nii.gz"])
        #expect(try matched("a*c/m.nii.gz") == ["abc/m.nii.gz"])
        #expect(try matched("a/b/m.nii.gz") == ["a/b/m.nii.gz"])
    }

    @Test func twoStarsMatchAnyFoldersNoneIncluded() throws {
        try touch("m.nii.gz", "x/m.nii.gz", "x/y/z/m.nii.gz", "x/y/other.nii.gz")
        #expect(try matched("**/m.nii.gz") == ["m.nii.gz", "x/m.nii.gz", "x/y/z/m.nii.gz"])
        #expect(try matched("x/**/m.nii.gz") == ["x/m.nii.gz", "x/y/z/m.nii.gz"])
        #expect(try matched("x/**/z/m.nii.gz") == ["x/y/z/m.nii.gz"])
        // A last `**` matches the files below, as a shell's does; `**/**` finds each file once.
        #expect(try matched("x/**") == ["x/m.nii.gz", "x/y/other.nii.gz", "x/y/z/m.nii.gz"])
        #expect(try matched("**/**/m.nii.gz") == ["m.nii.gz", "x/m.nii.gz", "x/y/z/m.nii.gz"])
    }

    @Test func capturesTakeTheTextBetweenLiteralsAndTwoMayShareAName() throws {
        try touch("results/fold-0_run-12/lambda1-0.001/mask.nii.gz", "results/fold-1_run-3/lambda1-1e-4/mask.nii.gz", "results/fold-2/lambda1-1/mask.nii.gz")
        #expect(try captured("results/fold-{fold}_run-{run}/lambda1-{lambda1}/mask.nii.gz") == [
            "results/fold-0_run-12/lambda1-0.001/mask.nii.gz: fold=0 run=12 lambda1=0.001",
            "results/fold-1_run-3/lambda1-1e-4/mask.nii.gz: fold=1 run=3 lambda1=1e-4",
        ])
        // A capture takes as few characters as the rest allows, at least one.
        try touch("v/1.2.3.nii.gz")
        #expect(try captured("v/{a}.{b}.nii.gz") == ["v/1.2.3.nii.gz: a=1 b=2.3"])
        #expect(try captured("v/{a}{b}.nii.gz") == ["v/1.2.3.nii.gz: a=1 b=.2.3"])
        #expect(try matched("results/fold-{fold}_run-{run}/*/mask.nii") == [])
    }

    @Test func hiddenNamesAreMatchedOnlyByALiteralDot() throws {
        try touch(".hidden/m.nii.gz", "shown/.m.nii.gz", "shown/m.nii.gz", "shown/.cache/m.nii.gz")
        #expect(try matched("*/m.nii.gz") == ["shown/m.nii.gz"])
        #expect(try matched("**/m.nii.gz") == ["shown/m.nii.gz"])
        #expect(try matched("shown/*") == ["shown/m.nii.gz"])
        #expect(try matched("shown/{name}") == ["shown/m.nii.gz"])
        #expect(try matched(".*/m.nii.gz") == [".hidden/m.nii.gz"])
        #expect(try matched("shown/.*") == ["shown/.m.nii.gz"])
        #expect(try matched("shown/.cache/m.nii.gz") == ["shown/.cache/m.nii.gz"])
    }

    @Test func twoStarsEnterNoLinkedFolderSoALoopEnds() throws {
        try touch("a/m.nii.gz", "b/m.nii.gz")
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("a/loop").path, withDestinationPath: root.path)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("linked").path, withDestinationPath: root.appendingPathComponent("b").path)
        #expect(try matched("**/m.nii.gz") == ["a/m.nii.gz", "b/m.nii.gz"])
        // A name in the pattern goes through a link, as any path does.
        #expect(try matched("linked/m.nii.gz") == ["linked/m.nii.gz"])
        #expect(try matched("*/m.nii.gz") == ["a/m.nii.gz", "b/m.nii.gz", "linked/m.nii.gz"])
        #expect(try matched("a/loop/a/m.nii.gz") == ["a/loop/a/m.nii.gz"])
    }

    @Test func filesComeInByteOrderAndFoldersAreNoFiles() throws {
        try touch("B/m", "a/m", "a-b/m", "a_b/m", "Z/m")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("dir/m"), withIntermediateDirectories: true)
        #expect(try matched("*/m") == ["B/m", "Z/m", "a-b/m", "a/m", "a_b/m"])
    }

    @Test func escapedCharactersAreLiteral() throws {
        try touch("a*b/m", "axb/m", "{fold}/m")
        #expect(try matched("a\\*b/m") == ["a*b/m"])
        #expect(try matched("\\{fold\\}/m") == ["{fold}/m"])
    }

    @Test func malformedPatternsAreRefusedInOneLine() {
        let refusals = [
            "": "the pattern is empty",
            "/data/*.nii.gz": "a pattern is relative to --root; give the folder it starts from there",
            "results/": "a pattern ends with the files' names, not '/'",
            "../x/*.nii.gz": "a pattern names folders below --root, not '..'; give the folder it starts from as --root",
            "fold-{fold/m": "'{' opens a capture in 'fold-{fold' that no '}' closes",
            "fold-{}/m": "'{}' in 'fold-{}' captures no field; write {FIELD}, e.g. {fold}",
            "fold-{a{b}}/m": "'{' within a capture in 'fold-{a{b}}'; captures do not nest",
            "fold}/m": "'}' in 'fold}' closes no capture; write \\} for the character",
        ]
        for (pattern, detail) in refusals {
            #expect(throws: ImportError.badPattern(pattern: pattern, detail: detail), "\(pattern)") { try PathPattern(pattern) }
        }
    }

    @Test func theManifestHoldsCapturesThenConstantsAndPrintsAsTSV() throws {
        try touch("fold-0/run-1/lambda1-0.1/m.nii.gz", "fold-0/run-0/lambda1-0.1/m.nii.gz", "fold-1/run-0/lambda1-x/m.nii.gz")
        let checked = try ManifestCheck.pattern(
            .masks, "fold-{fold}/run-{run}/lambda1-{lambda1}/*.nii.gz", root: root.path,
            constants: [("lambda2", "0.001"), ("annotation.batch", "")])
        #expect(checked.generated == """
            path\tfold\trun\tlambda1\tlambda2\tannotation.batch
            fold-0/run-0/lambda1-0.1/m.nii.gz\t0\t0\t0.1\t0.001\t
            fold-0/run-1/lambda1-0.1/m.nii.gz\t0\t1\t0.1\t0.001\t
            fold-1/run-0/lambda1-x/m.nii.gz\t1\t0\tx\t0.001\t

            """)
        let manifest = checked.manifest
        #expect(manifest.rows.map(\.line) == [2, 3, 4])
        #expect(manifest.rows[2].cells == ["path": "fold-1/run-0/lambda1-x/m.nii.gz", "fold": "1", "run": "0", "lambda1": "x", "lambda2": "0.001"])
        #expect(manifest.folder == (root.path as NSString).standardizingPath)
        #expect(manifest.absolutePath == manifest.folder + "//fold-{fold}/run-{run}/lambda1-{lambda1}/*.nii.gz")
        #expect(manifest.resolve(manifest.rows[0]["path"]!) == manifest.folder + "/fold-0/run-0/lambda1-0.1/m.nii.gz")
    }

    @Test func aFieldCapturedTwiceMustTakeTheSameText() throws {
        try touch("fold-0/f0.nii.gz", "fold-1/f2.nii.gz")
        let checked = try ManifestCheck.pattern(
            .masks, "fold-{fold}/f{fold}.nii.gz", root: root.path, constants: [("run", "0"), ("lambda1", "1"), ("lambda2", "0")])
        #expect(checked.manifest.rows.map(\.line) == [2])
        #expect(checked.manifest.malformed.map { "\($0.line) \($0.path): \($0.message)" } == ["3 fold-1/f2.nii.gz: fold is captured as '1' and as '2'"])
        // Its line stays in the TSV as a comment, so the later lines keep their numbers.
        #expect(checked.generated?.split(separator: "\n").last == "# row 3 rejected: fold is captured as '1' and as '2'")
    }

    @Test func fieldsAndConstantsAreCheckedBeforeAnyFolderIsWalked() throws {
        let pattern = "fold-{fold}/run-{run}/lambda1-{lambda1}/m.nii.gz"
        let refusals: [(String, [(field: String, value: String)], String)] = [
            (pattern, [("lambda1", "1"), ("lambda2", "0")], "lambda1 is both captured by the pattern and given by --set; keep one"),
            (pattern, [("lambda2", "0"), ("lambda2", "1")], "--set lambda2 is given twice; keep one"),
            (pattern, [("path", "x")], "--set path: the file's path fills that column"),
            ("{path}", [], "{path} would capture the column that names the file itself; the file's path fills it"),
        ]
        for (text, constants, detail) in refusals {
            #expect(throws: ImportError.badPattern(pattern: text, detail: detail), "\(detail)") {
                try ManifestCheck.pattern(.masks, text, root: root.path, constants: constants)
            }
        }
        // The field names are a manifest's columns, with a manifest's refusals.
        #expect(throws: ImportError.badManifest(
            path: pattern, detail: "missing required column lambda2; the header has path, fold, run, lambda1")) {
            try ManifestCheck.pattern(.masks, pattern, root: root.path, constants: [])
        }
        #expect(throws: ImportError.badManifest(
            path: pattern + "/{semantic}",
            detail: "unknown column 'semantic'; did you mean 'semantics'? (to keep it as an annotation, name the column 'annotation.semantic')")) {
            try ManifestCheck.pattern(.masks, pattern + "/{semantic}", root: root.path, constants: [("lambda2", "0")])
        }
        // Only then is the folder walked.
        #expect(throws: ImportError.badPattern(pattern: pattern, detail: "matches no file under \((root.path as NSString).standardizingPath)")) {
            try ManifestCheck.pattern(.masks, pattern, root: root.path, constants: [("lambda2", "0")])
        }
        #expect(throws: ImportError.badPattern(pattern: pattern, detail: "--root \(root.path)/none is not a folder")) {
            try ManifestCheck.pattern(.masks, pattern, root: root.path + "/none", constants: [("lambda2", "0")])
        }
    }
}
