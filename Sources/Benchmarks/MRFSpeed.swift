import MRF

/// One method's speed on one grid in `pmf bench mrf`: in memory and through a model file.
public struct MRFSpeed: Encodable, Sendable {
    /// The grid's name.
    public let model: String
    /// The method's spec text.
    public let method: String
    /// The grid's variables n.
    public let variables: Int
    /// Iterations K per measurement.
    public let sweeps: Int
    /// Seconds of K `step()` calls on the model in memory.
    public let seconds: Double
    /// In memory, M variable updates/s: n·K / seconds / 10⁶.
    public let mups: Double
    /// Through the file (`LoadedModel.solve`), M variable updates/s: n·K / (t_K − t_0) / 10⁶, with t_K
    /// and t_0 the solves with `maxiter` K and 0 (the difference removes the setup).
    public let fileMups: Double
    /// Seconds reading the grid's `.fg` file (the same for every method of a grid).
    public let loadSeconds: Double
    /// Seconds building the `--json` text of the K-iteration solve.
    public let outputSeconds: Double
    /// libDAI's rate for this method (`LibDAIAnchor.rate(for:)`), M updates/s.
    public let libdaiRate: Double

    /// A speed from its timings.
    public init(model: String, algorithm: Algorithm, variables: Int, sweeps: Int, seconds: Double,
                fileSolveSeconds: (iterations: Double, setup: Double), loadSeconds: Double, outputSeconds: Double) {
        (self.model, method, self.variables, self.sweeps, self.seconds) = (model, algorithm.description, variables, sweeps, seconds)
        mups = Self.millionUpdatesPerSecond(variables: variables, sweeps: sweeps, seconds: seconds)
        fileMups = Self.millionUpdatesPerSecond(variables: variables, sweeps: sweeps,
                                                seconds: max(fileSolveSeconds.iterations - fileSolveSeconds.setup, 1e-9))
        (self.loadSeconds, self.outputSeconds, libdaiRate) = (loadSeconds, outputSeconds, LibDAIAnchor.rate(for: algorithm))
    }

    /// n·K / seconds / 10⁶: M variable updates per second of K sweeps over n variables.
    public static func millionUpdatesPerSecond(variables: Int, sweeps: Int, seconds: Double) -> Double {
        Double(variables) * Double(sweeps) / seconds / 1e6
    }

    /// mups / libDAI's rate.
    public var memoryOverLibDAI: Double { mups / libdaiRate }
    /// fileMups / libDAI's rate.
    public var fileOverLibDAI: Double { fileMups / libdaiRate }
    /// mups / fileMups: how much faster an iteration is in memory than through the file path.
    public var memoryOverFile: Double { mups / fileMups }

    private enum CodingKeys: String, CodingKey {
        case model, method, variables, sweeps, seconds, mups, fileMups, loadSeconds, outputSeconds
    }
}
