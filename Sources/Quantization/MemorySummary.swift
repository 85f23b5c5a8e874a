import Foundation

/// A Larq-style memory summary of a (partly) quantized network.
public struct MemorySummary: Codable, Equatable {
    public struct Row: Codable, Equatable {
        public var path: String
        public var parameters: Int
        public var bits: Int
        public var quantizedBytes: Double
        public var floatBytes: Double
    }
    public var rows: [Row]
    /// Non-trainable float values (BatchNorm running statistics), counted at 32 bits in both networks.
    public var statistics: Int
    public var quantizedBytes: Double { rows.reduce(0) { $0 + $1.quantizedBytes } + Double(statistics * 4) }
    public var floatBytes: Double { rows.reduce(0) { $0 + $1.floatBytes } + Double(statistics * 4) }
    public var compressionRatio: Double { floatBytes / max(quantizedBytes, 1) }

    public var text: String {
        func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
        let width = max(10, rows.map(\.path.count).max() ?? 0)
        var lines = ["\("layer".padding(toLength: width, withPad: " ", startingAt: 0))  \(pad("params", 9))  \(pad("bits", 4))  \(pad("quantized KiB", 13))  \(pad("float KiB", 10))"]
        for r in rows {
            lines.append("\(r.path.padding(toLength: width, withPad: " ", startingAt: 0))  \(pad(String(r.parameters), 9))  \(pad(String(r.bits), 4))  \(pad(String(format: "%.2f", r.quantizedBytes / 1024), 13))  \(pad(String(format: "%.2f", r.floatBytes / 1024), 10))")
        }
        lines.append("BatchNorm running statistics: \(statistics) values at 32 bits")
        lines.append(String(format: "total parameters: %d; memory quantized %.2f KiB, float %.2f KiB; compression ratio %.2f×",
                            rows.reduce(0) { $0 + $1.parameters }, quantizedBytes / 1024, floatBytes / 1024, compressionRatio))
        return lines.joined(separator: "\n")
    }
}
