import Foundation
import Formatting

/// What a ClinicaDL MAPS folder holds, read from its layout (ClinicaDL 1.0 to 1.6, and 2.0):
/// its models (one per split and selection metric) with their weights, hyperparameters
/// and metrics, and its attribution maps in NIfTI; and what is missing or unreadable, each
/// named by its path from the MAPS, so that a half-written MAPS imports what is complete.
///
/// 1.x (`maps.json` at the top): `split-<i>/` (`fold-<i>/` in 1.0.0 to 1.0.3) →
/// `best-<metric>/` → `model.pth.tar`, and per data group `<group>/` →
/// `<group>_image_level_metrics.tsv` and `interpret-<name>/` → `mean_image-0_map.nii.gz`
/// and `<participant>_<session>_image-0_map.nii.gz`. 2.0 (`model.json` at the top):
/// `training/split-<i>/` (`computational.json`, `models/best_models/best-<metric>/model.pt`,
/// `validation_metrics/aggregated.tsv`) and
/// `test/group-<name>/results/split-<i>/best-<metric>/metrics/aggregated.tsv`; no maps.
public struct ClinicaDLMAPS: Sendable {
    /// The layout's generation.
    public enum Layout: String, Sendable {
        /// ClinicaDL 1.x: `maps.json`, `split-<i>` (or `fold-<i>`) folders.
        case v1 = "1.x"
        /// ClinicaDL 2.0: `model.json`, `training/split-<i>` folders.
        case v2 = "2.0"
    }

    /// One trained model: a split's network selected by one metric.
    public struct Model: Sendable {
        public var split: Int
        /// The selection metric, as ClinicaDL spells it (`loss`, `BA`, `F1_score`...).
        public var selection: String
        /// The weights file, relative to the MAPS (nil when it is not written yet).
        public var weights: String?
        /// Parameters of this split alone (2.0's seed), beside the MAPS's.
        public var parameters: [(name: String, value: String)] = []
        /// `(data group, metric, value text)`, from every metrics file of the model.
        public var metrics: [(group: String, name: String, value: String)] = []

        /// The model's name in maskdb: `best-<metric>`.
        public var name: String { "best-" + selection }
    }

    /// One attribution map in NIfTI.
    public struct Map: Sendable {
        public var split: Int
        public var selection: String
        /// The data group it was computed on (`test`, `validation`...): the subject set.
        public var group: String
        /// The interpretation's name (`interpret-<name>`): the method.
        public var interpretation: String
        /// `<participant>_<session>` of an individual map; '' for the group's mean map.
        public var subject: String
        /// The file, relative to the MAPS.
        public var path: String
    }

    /// The MAPS folder, absolute and standardized.
    public let root: String
    /// The MAPS folder as given, for messages.
    public let given: String
    public let layout: Layout
    /// `architecture` from maps.json / model.json, when given.
    public var architecture: String?
    /// Every other hyperparameter of maps.json (model.json), flattened: nested objects'
    /// keys joined by dots, arrays as compact JSON, nulls left out, numbers as written.
    public var parameters: [(name: String, value: String)] = []
    /// maps.json's `preprocessing_dict.file_type.pattern`: how its CAPS images are named.
    public var imagePattern: String?
    /// The models, by split then selection metric.
    public var models: [Model] = []
    /// The NIfTI maps, by split, selection, group, interpretation, then path.
    public var maps: [Map] = []
    /// What is missing or broken of its models: (path from the MAPS, what), each a rejection.
    public var problems: [(path: String, message: String)] = []
    /// What is missing or broken of its maps, the same way.
    public var mapProblems: [(path: String, message: String)] = []
    /// What the MAPS holds that maskdb does not import, and why (not an error).
    public var notes: [String] = []

    /// Reads the MAPS at `path`; throws `ImportError.badMAPS` when it is no MAPS at all.
    public init(path: String) throws {
        let here = FileManager.default.currentDirectoryPath
        given = path
        root = ((path.hasPrefix("/") ? path : here + "/" + path) as NSString).standardizingPath
        func refuse(_ detail: String) -> ImportError { .badMAPS(path: path, detail: detail) }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
            throw refuse("is not a folder")
        }
        let top = Self.names(in: root)
        if top.contains("maps.json") {
            layout = .v1
            try readParameters("maps.json", refuse: refuse)
            try readVersion1(refuse: refuse)
        } else if top.contains("model.json") {
            layout = .v2
            try readParameters("model.json", refuse: refuse)
            try readVersion2(refuse: refuse)
        } else {
            throw refuse("holds neither maps.json (ClinicaDL 1.x) nor model.json (ClinicaDL 2.0); is it a MAPS folder?")
        }
    }

    // MARK: - Parameters

    private mutating func readParameters(_ file: String, refuse: (String) -> ImportError) throws {
        let json = try Self.json(root + "/" + file, refuse: { refuse("\(file): \($0)") })
        guard case .object = json else { throw refuse("\(file) is not a JSON object") }
        architecture = json["architecture"]?.text
        imagePattern = json["preprocessing_dict"]?["file_type"]?["pattern"]?.text
        for (name, value) in json.flattened() where name != "architecture" {
            parameters.append((Self.parameterName(name), value))
        }
    }

    /// A name as a parameter may be written: letters, digits, `_`, `.` and `-`, other characters made `_`.
    static func parameterName(_ key: String) -> String {
        var name = String(key.map { $0.isASCII && ($0.isLetter || $0.isNumber || "_.-".contains($0)) ? $0 : "_" })
        while name.hasPrefix(".") || name.hasPrefix("-") { name = "_" + name.dropFirst() }
        return name.isEmpty ? "_" : name
    }

    static func json(_ path: String, refuse: (String) -> ImportError) throws -> ClinicaDLJSON {
        guard let data = FileManager.default.contents(atPath: path) else { throw refuse("cannot be read") }
        do {
            return try ClinicaDLJSON(parsing: String(decoding: data, as: UTF8.self))
        } catch {
            throw refuse("is not JSON (\(error.description)); was it fully written?")
        }
    }

    // MARK: - 1.x

    private mutating func readVersion1(refuse: (String) -> ImportError) throws {
        let splits = Self.numbered(Self.names(in: root), prefixes: ["split-", "fold-"])
        guard !splits.isEmpty else {
            problems.append(("maps.json", "the MAPS has no split-<i> folder yet: no model is trained (is the training still running?)"))
            return
        }
        for (split, folder) in splits {
            let selections = Self.names(in: root + "/" + folder).filter { $0.hasPrefix("best-") && $0.count > 5 && isFolder(folder + "/" + $0) }
            guard !selections.isEmpty else {
                problems.append((folder, "no best-<metric> folder yet: this split's training has not saved a model (is it still running?)"))
                continue
            }
            for selectionFolder in selections {
                let selection = String(selectionFolder.dropFirst(5))
                let base = folder + "/" + selectionFolder
                let contents = Self.names(in: root + "/" + base)
                var model = Model(split: split, selection: selection)
                if contents.contains("model.pth.tar") {
                    model.weights = base + "/model.pth.tar"
                } else if let network = contents.first(where: { $0.hasPrefix("network-") && $0.hasSuffix("_model.pth.tar") }) {
                    // Multi-network models: the first network's file stands for the model.
                    model.weights = base + "/" + network
                    notes.append("\(base): several networks (\(contents.filter { $0.hasSuffix("_model.pth.tar") }.count)); \(network) is recorded as the model's weights")
                } else {
                    problems.append((base, "no model.pth.tar yet: this model's weights are not written (is the training still running?)"))
                }
                for group in contents where isFolder(base + "/" + group) {
                    let groupFolder = base + "/" + group
                    let files = Self.names(in: root + "/" + groupFolder)
                    let metricsFile = "\(group)_image_level_metrics.tsv"
                    if files.contains(metricsFile) {
                        readMetrics(groupFolder + "/" + metricsFile, group: group, into: &model)
                    }
                    for interpretation in files where interpretation.hasPrefix("interpret-") && interpretation.count > 10 && isFolder(groupFolder + "/" + interpretation) {
                        readMaps(groupFolder + "/" + interpretation, split: split, selection: selection, group: group)
                    }
                }
                models.append(model)
            }
        }
    }

    /// The NIfTI maps of one `interpret-<name>` folder.
    private mutating func readMaps(_ folder: String, split: Int, selection: String, group: String) {
        let name = String(folder.split(separator: "/").last!.dropFirst("interpret-".count))
        let files = Self.names(in: root + "/" + folder)
        let nifti = files.filter { $0.hasSuffix(".nii.gz") || $0.hasSuffix(".nii") }
        if nifti.isEmpty {
            if files.contains(where: { $0.hasSuffix(".pt") }) {
                notes.append("\(folder): holds only .pt files (PyTorch tensors, which maskdb does not read); clinicadl interpret ... --save_nifti writes the maps as NIfTI")
            } else {
                mapProblems.append((folder, "holds no map yet (is the interpretation still running?)"))
            }
            return
        }
        for file in nifti {
            let path = folder + "/" + file
            if file == "mean_image-0_map.nii.gz" {
                maps.append(Map(split: split, selection: selection, group: group, interpretation: name, subject: "", path: path))
            } else if file.hasSuffix("_image-0_map.nii.gz"), !file.hasPrefix("mean_") {
                let subject = String(file.dropLast("_image-0_map.nii.gz".count))
                maps.append(Map(split: split, selection: selection, group: group, interpretation: name, subject: subject, path: path))
            } else {
                mapProblems.append((path, "not an image-level map (<participant>_<session>_image-0_map.nii.gz or mean_image-0_map.nii.gz); maps of patches, slices or regions are parts of an image, which maskdb does not measure"))
            }
        }
    }

    // MARK: - 2.0

    private mutating func readVersion2(refuse: (String) -> ImportError) throws {
        notes.append("ClinicaDL 2.0 MAPS: it holds no attribution maps (2.0 has no interpretation); its models and metrics are imported")
        let splits = Self.numbered(Self.names(in: root + "/training"), prefixes: ["split-"])
        guard !splits.isEmpty else {
            problems.append(("training", "no training/split-<i> folder yet: no model is trained (is the training still running?)"))
            return
        }
        // test/group-<name>/results/split-<i>/best-<metric>/metrics/aggregated.tsv
        let groups = Self.names(in: root + "/test").filter { $0.hasPrefix("group-") && $0.count > 6 }
        for (split, folder) in splits {
            let base = "training/" + folder
            var seed: [(name: String, value: String)] = []
            let computational = root + "/" + base + "/computational.json"
            if FileManager.default.fileExists(atPath: computational) {
                do {
                    let json = try Self.json(computational, refuse: { .badMAPS(path: base + "/computational.json", detail: $0) })
                    if let value = json["seed"]?.text { seed.append(("seed", value)) }
                } catch {
                    problems.append((base + "/computational.json", "\(error)"))
                }
            }
            let bestFolder = base + "/models/best_models"
            let selections = Self.names(in: root + "/" + bestFolder).filter { $0.hasPrefix("best-") && $0.count > 5 && isFolder(bestFolder + "/" + $0) }
            guard !selections.isEmpty else {
                problems.append((base, "no models/best_models/best-<metric> folder yet: this split's training has not saved a model (is it still running?)"))
                continue
            }
            for selectionFolder in selections {
                let selection = String(selectionFolder.dropFirst(5))
                var model = Model(split: split, selection: selection, parameters: seed)
                let weights = bestFolder + "/" + selectionFolder + "/model.pt"
                if FileManager.default.fileExists(atPath: root + "/" + weights) {
                    model.weights = weights
                } else {
                    problems.append((bestFolder + "/" + selectionFolder, "no model.pt yet: this model's weights are not written (is the training still running?)"))
                }
                let validation = base + "/validation_metrics/aggregated.tsv"
                if FileManager.default.fileExists(atPath: root + "/" + validation) {
                    readMetrics(validation, group: "validation", into: &model)
                }
                for group in groups {
                    let metrics = "test/\(group)/results/\(folder)/\(selectionFolder)/metrics/aggregated.tsv"
                    if FileManager.default.fileExists(atPath: root + "/" + metrics) {
                        readMetrics(metrics, group: String(group.dropFirst(6)), into: &model)
                    }
                }
                models.append(model)
            }
        }
    }

    // MARK: - Metrics

    /// Adds the metrics of the TSV at `path` (relative) to `model`, or names the problem.
    private mutating func readMetrics(_ path: String, group: String, into model: inout Model) {
        guard let data = FileManager.default.contents(atPath: root + "/" + path) else {
            problems.append((path, "cannot be read"))
            return
        }
        switch Self.metrics(tsv: String(decoding: data, as: UTF8.self)) {
        case .success(let metrics):
            model.metrics += metrics.map { (group, $0.name, $0.value) }
        case .failure(let problem):
            problems.append((path, problem.message))
        }
    }

    /// The metrics a ClinicaDL metrics TSV holds, as `(name, value text)`. Two orientations:
    /// up to 1.5 a header row of metric names and one row of values; in 1.6 transposed, a
    /// first column `Metrics, Values, Lower bound CI, Upper bound CI, SE` and a column per
    /// metric, whose `Values` row gives `NAME` and the others `NAME_lower_ci`,
    /// `NAME_upper_ci` and `NAME_se`. Cells that are no number (an id, `nan`) are left out.
    static func metrics(tsv: String) -> Result<[(name: String, value: String)], RowRejection> {
        let lines = tsv.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
            .map { $0.split(separator: "\t", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) } }
        guard let first = lines.first else { return .failure(RowRejection("is empty; was it fully written?")) }
        var metrics: [(name: String, value: String)] = []
        func add(_ name: String, _ value: String) {
            guard !name.isEmpty, let number = NumberText.decimal(value), number.isFinite else { return }
            metrics.append((ClinicaDLMAPS.parameterName(name), value))
        }
        if first.first == "Metrics" {
            let names = Array(first.dropFirst())
            let suffixes = ["Values": "", "Lower bound CI": "_lower_ci", "Upper bound CI": "_upper_ci", "SE": "_se"]
            guard lines.contains(where: { $0.first == "Values" }) else {
                return .failure(RowRejection("has a Metrics row but no Values row; was it fully written?"))
            }
            for line in lines.dropFirst() {
                guard let label = line.first, let suffix = suffixes[label] else { continue }
                for (name, value) in zip(names, line.dropFirst()) { add(name + suffix, value) }
            }
        } else {
            guard lines.count >= 2 else { return .failure(RowRejection("has a header but no row of values; was it fully written?")) }
            guard lines[1].count == first.count else {
                return .failure(RowRejection("its row of values has \(lines[1].count) cells but its header \(first.count); was it fully written?"))
            }
            for (name, value) in zip(first, lines[1]) { add(name, value) }
        }
        return .success(metrics)
    }

    // MARK: - Folders

    /// The names in a folder, sorted by their bytes; none when it cannot be read.
    static func names(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }
            .sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    private func isFolder(_ relative: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &isFolder) && isFolder.boolValue
    }

    /// The folders named `<prefix><i>` among `names`, by i.
    static func numbered(_ names: [String], prefixes: [String]) -> [(Int, String)] {
        names.compactMap { name -> (Int, String)? in
            guard let prefix = prefixes.first(where: { name.hasPrefix($0) }), let number = Int(name.dropFirst(prefix.count)), number >= 0 else { return nil }
            return (number, name)
        }.sorted { $0.0 < $1.0 }
    }
}
