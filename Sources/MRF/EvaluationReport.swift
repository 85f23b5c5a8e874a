/// What `Evaluation` measured on a benchmark folder: one row per (instance, algorithm) that ran,
/// the algorithms that could not run on an instance, and the models left out.
public struct EvaluationReport: Sendable {
    /// An evaluated model and the answers it came with.
    public struct Instance: Sendable {
        /// The model file's name.
        public var name: String
        /// Its number of variables.
        public var variables: Int
        /// How many of them the evidence observes.
        public var observed: Int
        /// The answer files found beside it, in the order PR, MAR, MPE.
        public var answers: [UAIOutput.Task]
        /// The reference log Z in nats, when a `PR` file was given.
        public var logZ: Double?
        /// The energy of the reference MPE labelling, when an `MPE` file was given.
        public var mpeEnergy: Double?
    }

    /// One algorithm on one instance.
    public struct Row: Sendable {
        /// The instance's name (its model file's name).
        public var instance: String
        /// The algorithm's canonical spec text.
        public var algorithm: String
        /// The algorithm's log Z estimate (nats).
        public var logZ: Double
        /// The energy of its labelling.
        public var energy: Double
        /// Its errors against the answers.
        public var errors: AnswerErrors
        /// Iterations it ran (0 for exact inference).
        public var iterations: Int
        /// Wall-clock seconds of the run on the conditioned model (reading and conditioning excluded).
        public var seconds: Double
    }

    /// An algorithm that could not run on an instance (bp or trw on a factor of three variables,
    /// exact beyond its memory limit), with the reason and the seconds until it gave up.
    public struct Failure: Sendable {
        /// The instance's name.
        public var instance: String
        /// The algorithm's spec text.
        public var algorithm: String
        /// The one-line reason.
        public var reason: String
        /// Seconds until it gave up.
        public var seconds: Double
    }

    /// The algorithms' spec texts, in the order given.
    public var algorithms: [String]
    /// The evaluated models, in name order.
    public var instances: [Instance] = []
    /// Instance-major: every algorithm that ran on the first instance, then on the second, …
    public var rows: [Row] = []
    /// The runs that failed.
    public var failures: [Failure] = []
    /// One line per model file left out (no answer file beside it).
    public var notes: [String] = []

    /// An empty report for `algorithms`.
    public init(algorithms: [String]) { self.algorithms = algorithms }
}
