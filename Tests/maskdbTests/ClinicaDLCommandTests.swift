import Foundation
import NIfTI
import NIfTIFixtures
import StudyCore
import Testing

/// `maskdb import clinicadl` on MAPS folders laid out as ClinicaDL writes them, with maps saved
/// as its `interpret --save_nifti` saves them: float32, an identity affine and a leading channel
/// axis, `(1, X, Y, Z)`, on the grid of a CAPS image (here 20 x 24 x 20 voxels of 8 mm over MNI space).
struct ClinicaDLCommandTests {
    let scratch: ScratchFolder
    var folder: URL { scratch.url }
    var db: String { scratch.path("study.sqlite") }

    static let shape = [20, 24, 20]
    static let capsAffine = Affine(rows: [[-8, 0, 0, 80], [0, 8, 0, -112], [0, 0, 8, -70], [0, 0, 0, 1]])
    static let pattern = "*space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz"
    static let subjects = ["sub-001_ses-M000", "sub-002_ses-M000"]
    static let methods = ["gradients", "grad-cam"]

    init() throws {
        scratch = try ScratchFolder(prefix: "maskdb-clinicadl")
    }

    func write(_ bytes: [UInt8], _ relative: String) throws {
        let url = folder.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func write(_ text: String, _ relative: String) throws { try write(Array(text.utf8), relative) }

    /// A signed map of order 1e-5, different for each seed.
    static func values(seed: Int) -> [Float] {
        (0..<(shape.reduce(1, *))).map { i in
            // SplitMix64's finalizer of (seed, voxel): every seed its own map.
            var x = UInt64(seed) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(i) &* 0xBF58_476D_1CE4_E5B9
            x = (x ^ (x >> 31)) &* 0x94D0_49BB_1331_11EB
            x ^= x >> 29
            return Float(Int(x % 41) - 17) * 1e-6
        }
    }

    /// A map as ClinicaDL saves it: shape (1, X, Y, Z), identity affine.
    static func clinicaDLMap(seed: Int) -> [UInt8] {
        NIfTIWriter.float32Bytes(voxels: values(seed: seed), shape: [1] + shape, affine: .identity)
    }

    /// A CAPS with one t1-linear image per subject.
    @discardableResult
    func caps() throws -> String {
        for subject in Self.subjects {
            let (participant, session) = (subject.split(separator: "_")[0], subject.split(separator: "_")[1])
            try write(
                NIfTIWriter.float32Bytes(voxels: Self.values(seed: 99), shape: Self.shape, affine: Self.capsAffine),
                "caps/subjects/\(participant)/\(session)/t1_linear/\(participant)_\(session)_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz")
        }
        return scratch.path("caps")
    }

    /// The grid image a user would name with --grid-from.
    var gridFile: String { scratch.path("caps/subjects/sub-001/ses-M000/t1_linear/sub-001_ses-M000_T1w_space-MNI152NLin2009cSym_desc-Crop_res-1x1x1_T1w.nii.gz") }

    static func mapsJSON(seed: Int) -> String {
        """
        {
            "architecture": "Conv5_FC3",
            "caps_directory": "/gpfs/gone/caps",
            "label_code": {"AD": 1, "CN": 0},
            "n_splits": 2,
            "seed": \(seed),
            "learning_rate": 1e-05,
            "batch_size": 8,
            "optimizer": "Adam",
            "selection_metrics": ["loss", "BA"],
            "preprocessing_dict": {"preprocessing": "t1-linear", "file_type": {"pattern": "\(pattern)", "needed_pipeline": "t1-linear"}}
        }
        """
    }

    /// A 1.6 MAPS: 2 splits x 2 selection metrics (split 1's best-BA a copy of its best-loss)
    /// x 2 interpretations, each a mean map and one map per subject; transposed metrics TSVs.
    @discardableResult
    func maps(_ name: String, run: Int, splitWord: String = "split", transposed: Bool = true, nifti: Bool = true) throws -> String {
        try write(Self.mapsJSON(seed: 10 + run), "\(name)/maps.json")
        for split in 0..<2 {
            for selection in ["loss", "BA"] {
                let copy = split == 1 && selection == "BA"
                let seedBase = copy ? 1000 * run + 100 * split : 1000 * run + 100 * split + (selection == "BA" ? 50 : 0)
                let base = "\(name)/\(splitWord)-\(split)/best-\(selection)"
                try write("weights \(run) \(split) \(copy ? "loss" : selection)", "\(base)/model.pth.tar")
                let ba = "0.\(7 + run)\(split)"
                if transposed {
                    try write("Metrics\tBA\taccuracy\nValues\t\(ba)\t0.75\nLower bound CI\t0.6\t0.65\nUpper bound CI\t0.8\t0.85\nSE\t0.05\t0.05\n", "\(base)/test/test_image_level_metrics.tsv")
                } else {
                    try write("BA\taccuracy\tF1_score\n\(ba)\t0.75\t0.7\n", "\(base)/test/test_image_level_metrics.tsv")
                }
                for (m, method) in Self.methods.enumerated() {
                    let interpret = "\(base)/test/interpret-\(method)"
                    if !nifti {
                        try write("tensor", "\(interpret)/mean_image-0_map.pt")
                        continue
                    }
                    try write(Self.clinicaDLMap(seed: seedBase + 10 * m), "\(interpret)/mean_image-0_map.nii.gz")
                    for (s, subject) in Self.subjects.enumerated() {
                        try write(Self.clinicaDLMap(seed: seedBase + 10 * m + s + 1), "\(interpret)/\(subject)_image-0_map.nii.gz")
                    }
                }
            }
        }
        return scratch.path(name)
    }

    func run(_ arguments: String...) throws -> CLI.Result {
        try CLI.run(arguments + ["--db", db])
    }

    @Test func aMAPSAndASecondAsRun1ImportInOneCommandEachAndAgainAddNothing() throws {
        try caps()
        let first = try run("import", "clinicadl", try maps("maps-a", run: 0), "--grid-from", gridFile)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("maps-a: 4 models: 4 added, 0 already recorded, 0 rejected"), "\(first.stdout)")
        #expect(first.stdout.contains("maps-a: 24 maps: 24 added, 0 already recorded, 0 rejected"), "\(first.stdout)")
        let second = try run("import", "clinicadl", try maps("maps-b", run: 1), "--caps", scratch.path("caps"), "--run", "1")
        #expect(second.status == 0 && second.stdout.contains("24 maps: 24 added"), "\(second.stderr)")
        #expect(second.stderr.contains("its maps are measured on the grid of \(gridFile)"), "\(second.stderr)")

        // Models: fold = split, run, name best-<metric>, maps.json's hyperparameters, the metrics TSV's Values and CIs.
        let models = try run("sql", "SELECT fold, run, name, architecture, json_extract(params, '$.\"learning_rate\"'), json_extract(params, '$.\"preprocessing_dict.file_type.pattern\"'), json_extract(params, '$.\"label_code.AD\"') FROM models ORDER BY run, fold, name", "--format", "tsv")
        #expect(models.stdout.split(separator: "\n").dropFirst().first == "0\t0\tbest-BA\tConv5_FC3\t1e-05\t\(Self.pattern)\t1", "\(models.stdout)")
        #expect(models.stdout.split(separator: "\n").count == 9)
        let metrics = try run("sql", "SELECT dataset || '.' || metric, value FROM model_performance WHERE run = 1 AND fold = 1 AND model = 'best-loss' ORDER BY 1", "--format", "tsv")
        #expect(metrics.stdout.split(separator: "\n").dropFirst() == [
            "test.BA\t0.81", "test.BA_lower_ci\t0.6", "test.BA_se\t0.05", "test.BA_upper_ci\t0.8", "test.accuracy\t0.75", "test.accuracy_lower_ci\t0.65",
            "test.accuracy_se\t0.05", "test.accuracy_upper_ci\t0.85",
        ], "\(metrics.stdout)\(metrics.stderr)")

        // Maps: model, method, subject set, subject, kind attribution.
        let listed = try run("sql", "SELECT run, fold, model, method, subjects, subject, kind FROM mask_settings WHERE source LIKE '%maps-b/split-1/best-BA/test/interpret-grad-cam/sub-002%'", "--format", "tsv")
        #expect(listed.stdout.split(separator: "\n").last == "1\t1\tbest-BA\tgrad-cam\ttest\tsub-002_ses-M000\tattribution", "\(listed.stdout)")

        // best-BA of split 1 holds best-loss's very files: two records each, one blob each.
        let counts = try run("sql", "SELECT count(*), count(DISTINCT nifti_sha256) FROM masks", "--format", "tsv")
        #expect(counts.stdout.split(separator: "\n").last == "48\t36", "\(counts.stdout)")
        let weights = try run("sql", "SELECT count(*), count(DISTINCT weights_sha256) FROM models", "--format", "tsv")
        #expect(weights.stdout.split(separator: "\n").last == "8\t6", "\(weights.stdout)")

        // Measured on the CAPS grid: the same numbers as the same voxels saved as a 3D image on that grid.
        try write(NIfTIWriter.float32Bytes(voxels: Self.values(seed: 1110), shape: Self.shape, affine: Self.capsAffine), "placed.nii.gz")
        let id = try run("sql", "SELECT id FROM mask_settings WHERE source LIKE '%maps-b/split-1/best-loss/test/interpret-grad-cam/mean_image-0_map.nii.gz'", "--format", "tsv")
            .stdout.split(separator: "\n").last.map(String.init) ?? ""
        let recorded = try run("densities", id, "--format", "csv")
        let placed = try CLI.run("densities", scratch.path("placed.nii.gz"), "--semantics", "attribution", "--format", "csv")
        #expect(recorded.status == 0 && recorded.stdout == placed.stdout && recorded.stdout.split(separator: "\n").count > 50, "\(recorded.stderr)")
        let audit = try run("audit", id)
        #expect(audit.stdout.contains("grid         20 x 24 x 20, affine [-8,0,0,80,0,8,0,-112,0,0,8,-70,0,0,0,1], from \(gridFile)"), "\(audit.stdout)")
        #expect(audit.stdout.contains("imported     ") && audit.stdout.contains("from \(scratch.path("maps-b")) line"), "\(audit.stdout)")

        // The analyses run on the maps: 2 splits x 2 selections x 2 methods x 3 maps pair across runs.
        let similarity = try run("similarity", "--by", "run", "--counts", "--format", "csv")
        #expect(similarity.status == 0 && similarity.stdout.split(separator: "\n").last?.hasSuffix(",24,0") == true, "\(similarity.stdout) \(similarity.stderr)")
        let report = try run("report", "--out", scratch.path("report"))
        #expect(report.status == 0, "\(report.stderr)")
        #expect(FileManager.default.fileExists(atPath: scratch.path("report/montage.png")))

        // Again: nothing new.
        let again = try run("import", "clinicadl", scratch.path("maps-a"), scratch.path("maps-b"), "--caps", scratch.path("caps"))
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.components(separatedBy: "0 added").count - 1 == 4, "\(again.stdout)")
        #expect(again.stdout.contains("maps-b: 24 maps: 0 added, 24 already recorded, 0 rejected"), "\(again.stdout)")
    }

    @Test func aHalfWrittenMAPSImportsWhatIsCompleteAndNamesWhatIsNot() throws {
        try caps()
        let path = try maps("maps", run: 0)
        try FileManager.default.removeItem(atPath: path + "/split-1/best-BA/model.pth.tar")
        try FileManager.default.createDirectory(atPath: path + "/split-2", withIntermediateDirectories: true)
        let map = path + "/split-0/best-loss/test/interpret-gradients/mean_image-0_map.nii.gz"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: map))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: map))
        let imported = try run("import", "clinicadl", path, "--caps", scratch.path("caps"))
        #expect(imported.status == 1)
        let lines = imported.stderr.split(separator: "\n").filter { $0.hasPrefix("row ") }
        #expect(lines.count == 3, "\(imported.stderr)")
        #expect(lines.contains { $0.contains("split-1/best-BA: no model.pth.tar yet") })
        #expect(lines.contains { $0.contains("split-2: no best-<metric> folder yet") })
        #expect(lines.contains { $0.contains("split-0/best-loss/test/interpret-gradients/mean_image-0_map.nii.gz:") && $0.contains("was it fully written?") })
        #expect(imported.stdout.contains("6 models: 4 added, 0 already recorded, 2 rejected") && imported.stdout.contains("24 maps: 23 added, 0 already recorded, 1 rejected"), "\(imported.stdout)")
        // Once finished, importing again completes it.
        try Data("weights 0 1 loss".utf8).write(to: URL(fileURLWithPath: path + "/split-1/best-BA/model.pth.tar"))
        try Data(Self.clinicaDLMap(seed: 0)).write(to: URL(fileURLWithPath: map))
        try FileManager.default.removeItem(atPath: path + "/split-2")
        let finished = try run("import", "clinicadl", path, "--caps", scratch.path("caps"))
        #expect(finished.status == 0 && finished.stdout.contains("4 models: 1 added, 3 already recorded") && finished.stdout.contains("24 maps: 1 added, 23 already recorded"), "\(finished.stdout)\(finished.stderr)")
    }

    @Test func mapsWithoutAGridAreRefusedInOneLineNamingBothOptions() throws {
        let refused = try run("import", "clinicadl", try maps("maps", run: 0))
        #expect(refused.status == 1 && refused.stdout.isEmpty)
        #expect(refused.stderr.split(separator: "\n").count == 1 && refused.stderr.contains("--caps DIR") && refused.stderr.contains("--grid-from FILE"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: db))
        let noImage = try run("import", "clinicadl", scratch.path("maps"), "--caps", scratch.path("maps"))
        #expect(noImage.status == 1 && noImage.stderr.contains("no subjects folder"), "\(noImage.stderr)")
    }

    @Test func ptOnlyInterpretationsSayWhichFlagWritesNIfTI() throws {
        let imported = try run("import", "clinicadl", try maps("maps", run: 0, nifti: false))
        #expect(imported.status == 0 && imported.stdout.contains("4 models: 4 added") && imported.stdout.split(separator: "\n").count == 1, "\(imported.stdout)\(imported.stderr)")
        let notes = imported.stderr.split(separator: "\n")
        #expect(notes.count == 8 && notes.allSatisfy { $0.contains("holds only .pt files") && $0.contains("--save_nifti") }, "\(imported.stderr)")
    }

    @Test func aGridOfOtherSizesRejectsEachMapNamingBothFilesAndShapes() throws {
        try write(NIfTIWriter.float32Bytes(voxels: [Float](repeating: 0, count: 20 * 24 * 18), shape: [20, 24, 18], affine: Self.capsAffine), "other.nii.gz")
        let imported = try run("import", "clinicadl", try maps("maps", run: 0), "--grid-from", scratch.path("other.nii.gz"))
        #expect(imported.status == 1 && imported.stdout.contains("24 maps: 0 added, 0 already recorded, 24 rejected"))
        #expect(imported.stderr.contains("row 2: split-0/best-BA/test/interpret-grad-cam/mean_image-0_map.nii.gz: its shape 1 x 20 x 24 x 20 (20 x 24 x 20 without its channel axis) is not the 20 x 24 x 18 of its grid \(scratch.path("other.nii.gz"))"), "\(imported.stderr)")
    }

    @Test func aTrueFourDimensionalMapStaysRefusedWithAGrid() throws {
        try caps()
        try write(NIfTIWriter.float32Bytes(voxels: Self.values(seed: 1) + Self.values(seed: 2), shape: [2] + Self.shape, affine: .identity), "two.nii.gz")
        try write("path\tfold\trun\tsemantics\tgrid\ntwo.nii.gz\t0\t0\tattribution\t\(gridFile)\n", "maps.tsv")
        let imported = try run("import", "masks", scratch.path("maps.tsv"))
        #expect(imported.status == 1 && imported.stderr.contains("row 2: two.nii.gz: a mask is one 3D volume"), "\(imported.stderr)")
        try write(NIfTIWriter.float32Bytes(voxels: Self.values(seed: 1) + Self.values(seed: 2), shape: Self.shape + [2], affine: .identity), "volumes.nii.gz")
        try write("path\tfold\trun\tsemantics\tgrid\nvolumes.nii.gz\t0\t0\tattribution\t\(gridFile)\n", "volumes.tsv")
        let volumes = try run("import", "masks", scratch.path("volumes.tsv"))
        #expect(volumes.status == 1 && volumes.stderr.contains("a mask is one 3D volume"), "\(volumes.stderr)")
    }

    @Test func anyMaskManifestTakesAGridAndTheRecordKeepsIt() throws {
        try caps()
        try write(Self.clinicaDLMap(seed: 3), "map.nii.gz")
        try write("path\tfold\trun\tsemantics\tmethod\tgrid\nmap.nii.gz\t0\t0\tattribution\tgradients\t\(gridFile)\nmap.nii.gz\t0\t0\tattribution\tgradients\t\n", "maps.tsv")
        // Without the grid the same file is a 4D image: refused; with it, measured on the CAPS grid.
        let imported = try run("import", "masks", scratch.path("maps.tsv"))
        #expect(imported.status == 1 && imported.stdout.contains("1 added") && imported.stderr.contains("row 3: map.nii.gz: a mask is one 3D volume"), "\(imported.stdout)\(imported.stderr)")
        let grid = try run("sql", "SELECT dim_x, dim_y, dim_z, affine, grid_source FROM masks", "--format", "tsv")
        #expect(grid.stdout.split(separator: "\n").last == "20\t24\t20\t[-8,0,0,80,0,8,0,-112,0,0,8,-70,0,0,0,1]\t\(gridFile)", "\(grid.stdout)")
        let json = try run("audit", "1", "--format", "json")
        #expect(json.stdout.contains("\"grid\"") && json.stdout.contains("\"dims\""), "\(json.stdout)")
        let montage = try run("plot", "montage", "-o", scratch.path("maps.png"))
        #expect(montage.status == 0, "\(montage.stderr)")
    }

    @Test func aGridIsItsGeometryNotItsFile() throws {
        try write(Self.clinicaDLMap(seed: 3), "map.nii.gz")
        // Two reference images of one geometry (other voxels), and one of another affine.
        try write(NIfTIWriter.float32Bytes(voxels: Self.values(seed: 1), shape: Self.shape, affine: Self.capsAffine), "a.nii.gz")
        try write(NIfTIWriter.float32Bytes(voxels: Self.values(seed: 2), shape: Self.shape, affine: Self.capsAffine), "b.nii.gz")
        let shifted = Affine(rows: [[-8, 0, 0, 72], [0, 8, 0, -104], [0, 0, 8, -62], [0, 0, 0, 1]])
        try write(NIfTIWriter.float32Bytes(voxels: Self.values(seed: 1), shape: Self.shape, affine: shifted), "c.nii.gz")
        for grid in ["a", "b", "c"] {
            try write("path\tfold\trun\tsemantics\tgrid\nmap.nii.gz\t0\t0\tattribution\t\(grid).nii.gz\n", "\(grid).tsv")
        }
        #expect(try run("import", "masks", scratch.path("a.tsv")).stdout.contains("1 added"))
        let same = try run("import", "masks", scratch.path("b.tsv"))
        #expect(same.status == 0 && same.stdout.contains("0 added, 1 already recorded"), "\(same.stdout)\(same.stderr)")
        let other = try run("import", "masks", scratch.path("c.tsv"))
        #expect(other.status == 0 && other.stdout.contains("1 added, 0 already recorded"), "\(other.stdout)\(other.stderr)")
        let densities = try run("sql", "SELECT count(DISTINCT packed) FROM (SELECT group_concat(density) AS packed FROM mask_densities GROUP BY mask_id)", "--format", "tsv")
        #expect(densities.stdout.split(separator: "\n").last == "2", "\(densities.stdout)")
    }

    @Test func olderLayoutsFoldFoldersAndRowMetrics() throws {
        try caps()
        let imported = try run("import", "clinicadl", try maps("maps-1.0", run: 0, splitWord: "fold", transposed: false), "--caps", scratch.path("caps"))
        #expect(imported.status == 0 && imported.stdout.contains("4 models: 4 added") && imported.stdout.contains("24 maps: 24 added"), "\(imported.stdout)\(imported.stderr)")
        let models = try run("sql", "SELECT models.fold, models.name, model_metrics.dataset, model_metrics.metric, model_metrics.value FROM models JOIN model_metrics ON model_metrics.model_id = models.id WHERE models.fold = 1 AND models.name = 'best-loss' ORDER BY metric", "--format", "tsv")
        #expect(models.stdout.split(separator: "\n").dropFirst() == ["1\tbest-loss\ttest\tBA\t0.71", "1\tbest-loss\ttest\tF1_score\t0.7", "1\tbest-loss\ttest\taccuracy\t0.75"], "\(models.stdout)")
    }

    @Test func version2ImportsModelsAndMetricsAndSaysItHoldsNoMaps() throws {
        try write(#"{"architecture": "Conv5_FC3", "optimizer": {"name": "Adam", "lr": 1e-4}}"#, "v2/model.json")
        for split in 0..<2 {
            try write("{\"seed\": \(40 + split)}", "v2/training/split-\(split)/computational.json")
            try write("weights \(split)", "v2/training/split-\(split)/models/best_models/best-loss/model.pt")
            try write("BA\taccuracy\n0.8\t0.81\n", "v2/training/split-\(split)/validation_metrics/aggregated.tsv")
            try write("BA\n0.7\(split)\n", "v2/test/group-adni/results/split-\(split)/best-loss/metrics/aggregated.tsv")
        }
        let imported = try run("import", "clinicadl", scratch.path("v2"))
        #expect(imported.status == 0 && imported.stdout.contains("v2: 2 models: 2 added") && !imported.stdout.contains("maps"), "\(imported.stdout)")
        #expect(imported.stderr.contains("holds no attribution maps"), "\(imported.stderr)")
        let models = try run("sql", "SELECT fold, name, json_extract(params, '$.seed'), json_extract(params, '$.\"optimizer.lr\"'), (SELECT value FROM model_metrics WHERE model_id = models.id AND dataset = 'adni') FROM models ORDER BY fold", "--format", "tsv")
        #expect(models.stdout.split(separator: "\n").dropFirst() == ["0\tbest-loss\t40\t1e-4\t0.7", "1\tbest-loss\t41\t1e-4\t0.71"], "\(models.stdout)")
    }

    @Test func aDryRunPrintsBothManifestsAndWritesNothing() throws {
        try caps()
        let dry = try run("import", "clinicadl", try maps("maps", run: 0), "--caps", scratch.path("caps"), "--dry-run")
        #expect(dry.status == 0, "\(dry.stderr)")
        let blocks = dry.stdout.components(separatedBy: "\n\n")
        #expect(blocks.count == 2 && blocks[1].hasPrefix("path\tfold"), "\(dry.stdout)")
        #expect(blocks.first?.hasPrefix("fold\trun\tmodel\tarchitecture\tweights\tparams.caps_directory") == true, "\(dry.stdout.prefix(300))")
        #expect(dry.stdout.contains("path\tfold\trun\tmodel\tsemantics\tmethod\tsubjects\tsubject\tgrid\nsplit-0/best-BA/test/interpret-grad-cam/mean_image-0_map.nii.gz\t0\t0\tbest-BA\tattribution\tgrad-cam\ttest\t\t\(gridFile)"), "\(dry.stdout)")
        #expect(dry.stderr.contains("dry run: nothing was written"))
        #expect(!FileManager.default.fileExists(atPath: db))
    }
}
