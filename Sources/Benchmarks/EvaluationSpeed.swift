/// One network's evaluation speed in `pmf bench eval`.
public struct EvaluationSpeed: Encodable, Sendable {
    /// The network's name.
    public let arch: String
    /// Images per evaluation.
    public let images: Int
    /// Images per batch.
    public let batchSize: Int
    /// Seconds of the fastest evaluation.
    public let seconds: Double
    /// images / seconds.
    public let imagesPerSecond: Double
    /// The accuracy the last evaluation found.
    public let accuracy: Double
    /// `EvaluationBenchmark.logitsDigest` of one more evaluation, when asked for.
    public let logitsDigest: String?

    private enum CodingKeys: String, CodingKey {
        case arch, images, batchSize = "batch_size", seconds, imagesPerSecond = "images_per_s", accuracy, logitsDigest = "logits_digest"
    }
}
