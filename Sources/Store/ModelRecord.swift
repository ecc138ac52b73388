import StudyCore

/// A recorded model with its metrics.
public struct ModelRecord: Sendable, Equatable, Codable {
    /// One performance figure: a metric on a dataset (e.g. AIBL-test, balanced_accuracy).
    public struct Metric: Sendable, Equatable, Hashable, Codable {
        public var dataset: String
        public var metric: String
        public var value: Double

        /// A metric.
        public init(dataset: String, metric: String, value: Double) {
            self.dataset = dataset
            self.metric = metric
            self.value = value
        }
    }

    public var id: Int64
    public var study: String
    public var fold: Int
    public var run: Int
    /// The model's name within its fold and run ('' when there is one model).
    public var name: String
    public var architecture: String
    /// The sha256 of the stored weights file, if any.
    public var weightsSHA256: String?
    /// Training parameters.
    public var params: Parameters
    /// Metrics, sorted by dataset then metric.
    public var metrics: [Metric]
    /// How many masks were optimized for this model.
    public var maskCount: Int

    /// A record.
    public init(
        id: Int64, study: String, fold: Int, run: Int, name: String, architecture: String, weightsSHA256: String?,
        params: Parameters, metrics: [Metric], maskCount: Int
    ) {
        self.id = id
        self.study = study
        self.fold = fold
        self.run = run
        self.name = name
        self.architecture = architecture
        self.weightsSHA256 = weightsSHA256
        self.params = params
        self.metrics = metrics
        self.maskCount = maskCount
    }

    /// The fields of a model's record as the history keeps them.
    public enum CodingKeys: String, CodingKey {
        case id, study, fold, run, name, architecture, params, metrics
        case weightsSHA256 = "weights_sha256"
        case maskCount = "mask_count"
    }
}
