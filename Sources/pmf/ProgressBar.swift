import Figures
import Foundation
import NeuralNet

/// Progress on standard error, the one bar of every command: a redrawn bar on a terminal, plain
/// periodic lines otherwise.
final class ProgressBar {
    private let label: String
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var drew = false
    private var lastDone = -1

    init(label: String) { self.label = label }

    /// A training run's iterations.
    func report(_ p: TrainingProgress) {
        draw(fraction: Double(p.iteration) / Double(p.totalIterations),
             stats: String(format: "it %d/%d  loss %.4f  acc %.2f%%  %.0f samples/s  ETA %@",
                           p.iteration, p.totalIterations, p.loss, 100 * p.accuracy, p.samplesPerSecond, clock(p.secondsRemaining)))
    }

    /// A figure job's runs.
    func report(_ p: JobProgress) {
        let eta = p.done == p.total ? "all finished" : p.remaining.map { "ETA \(clock($0))" } ?? "ETA after the first run"
        draw(fraction: p.total == 0 ? 1 : Double(p.done) / Double(p.total),
             stats: "runs \(p.done)/\(p.total)  \(clock(p.elapsed)) elapsed  \(eta)" + (p.training.isEmpty ? "" : "  training \(p.training.joined(separator: ", "))"))
    }

    /// A sweep's runs: `done` of `total` ended, `running` going now (off a terminal, a line only when a run has ended).
    func report(done: Int, total: Int, running: Int) {
        guard total > 0, isTerminal || done != lastDone else { return }
        lastDone = done
        draw(fraction: Double(done) / Double(total), stats: "\(done)/\(total) done, \(running) running")
    }

    /// A line of its own, above the bar.
    func line(_ text: String) { write((drew ? "\r\u{1B}[K" : "") + text + "\n") }

    func finish() { if drew { write("\n") } }

    private func draw(fraction: Double, stats: String) {
        if isTerminal {
            let width = 24, filled = Int(fraction * Double(width))
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
            write("\r\(label) \(bar) \(stats)\u{1B}[K")
            drew = true
        } else {
            write("\(label) \(stats)\n")
        }
    }

    private func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }
}
