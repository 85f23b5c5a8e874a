import Foundation
import NeuralNet

/// Training progress on standard error: a redrawn bar on a terminal, plain periodic lines otherwise.
final class ProgressBar {
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var drew = false

    init(label: String) { self.label = label }

    func report(_ p: TrainingProgress) {
        let fraction = Double(p.iteration) / Double(p.totalIterations)
        let stats = String(format: "it %d/%d  loss %.4f  acc %.2f%%  %.0f samples/s  ETA %@",
                           p.iteration, p.totalIterations, p.loss, 100 * p.accuracy, p.samplesPerSecond, clock(p.secondsRemaining))
        if isTerminal {
            let width = 24, filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            write("\r\(label) \(bar) \(stats)\u{1B}[K")
            drew = true
        } else {
            write("\(label) \(stats)\n")
        }
    }

    func finish() { if drew { write("\n") } }

    private func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
