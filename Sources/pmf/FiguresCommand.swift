import ArgumentParser
import Figures
import Foundation
import Gnuplot
import NeuralNet
import Support
import Sweep

/// `pmf figures`: regenerates the paper's figures and tables as data, gnuplot scripts and renderings.
struct FiguresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figures",
        abstract: "Regenerate the paper's figures and tables: .dat data, .gp scripts and (with gnuplot) rendered files.",
        discussion: """
        Figures: \(PaperFigure.allCases.map(\.rawValue).joined(separator: ", ")) (all but ablation unless --only names them). The training figures first train \
        every run they need, each as `pmf train --run OUT/runs/DATASET/RUN/config.json --out OUT/runs/DATASET/RUN` \
        in a child process (its output in RUN/train.log), --jobs at a time, the longest first (one progress bar for the whole \
        job); a folder holding its finished run is reused, and an interrupted run resumes from its checkpoint. `theorems` runs the checks of `pmf check` and \
        writes their evidence to OUT/check.
        """)

    /// How much training.
    enum Mode: String, EnumerableFlag {
        case paper, quick, full
        static func help(for value: Mode) -> ArgumentHelp? {
            switch value {
            case .paper: "The default: LeNet-300 and LeNet-5 at the paper's MNIST schedule (20k iterations), 3 seeds of LeNet-300, 1 of LeNet-5 (31 runs)."
            case .quick: "A smoke run for CI: a few epochs on a training subset, one seed (minutes); its outputs say they are not a comparison."
            case .full: "As the default with 3 seeds of LeNet-5 too (33 runs)."
            }
        }

        var schedule: TrainingSchedule {
            switch self {
            case .paper: .paper
            case .quick: .quick
            case .full: .full
            }
        }
    }

    /// Output formats, by file extension.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case png, pdf, svg
        var terminal: Terminal {
            switch self {
            case .png: .pngcairo
            case .pdf: .pdfcairo
            case .svg: .svg
            }
        }
    }

    @Flag var mode: Mode = .paper
    @Option(help: "Dataset of the training figures: mnist (the paper's; make mnist fetches it) or fashion-mnist (in its place).")
    var dataset: DatasetKind = .mnist
    @Option(name: .customLong("only"), help: "Make only this figure (repeatable): \(PaperFigure.allCases.map(\.rawValue).joined(separator: ", ")).")
    var only: [String] = []
    @Option(help: "Output folder.") var out = "paper-figures/out"
    @Option(name: .customLong("terminal"), help: "Rendered format (repeatable): png, pdf, svg.") var formats: [Format] = [.png]
    @Option(help: "Comma-separated methods for fig2-training and table2: preset names (ref, pmf) or specs (pmf[rho=1.1]).")
    var methods = TrainingSchedule.paperMethods.joined(separator: ",")
    @Option(help: "Training runs at once, each on cores ÷ jobs workers (default: one per core; the results are the same bits for any value).")
    var jobs: Int?
    @Flag(help: "Print {\"figures\": [{\"name\", \"files\", \"notes\", \"seconds\"}], \"seconds\"} instead of progress lines.") var json = false

    func validate() throws {
        let known = Set(PaperFigure.allCases.map(\.rawValue))
        if let unknown = only.first(where: { !known.contains($0) }) {
            throw CommandError("unknown figure '\(unknown)' for --only; use one of \(PaperFigure.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if methods.split(separator: ",").isEmpty { throw CommandError("--methods needs at least one method spec, e.g. ref,pmf") }
        if let jobs, jobs < 1 { throw CommandError("--jobs must be ≥ 1") }
        if ![.mnist, .fashionMNIST].contains(dataset) {
            throw CommandError("--dataset \(dataset.rawValue): the figures train the paper's MNIST networks; use mnist or fashion-mnist")
        }
    }

    struct Report: Encodable {
        let name: String
        let files: [String]
        let notes: [String]
        let seconds: Double
    }

    func run() throws {
        let outURL = URL(fileURLWithPath: out, isDirectory: true).standardizedFileURL
        try FileManager.default.createDirectory(at: outURL, withIntermediateDirectories: true)
        var schedule = mode.schedule.on(dataset)
        schedule.methods = methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let command = "pmf figures" + (mode == .paper ? "" : " --\(mode.rawValue)")
            + (dataset == .mnist ? "" : " --dataset \(dataset.rawValue)")
            + (methods == TrainingSchedule.paperMethods.joined(separator: ",") ? "" : " --methods \(methods)")
            + (schedule.isSmokeRun ? " (a smoke run, not a comparison)" : "")
        let runs = jobs ?? workerCount
        let backend = ProcessTraining(executable: runningExecutable(), runs: runs, threadsPerRun: max(1, workerCount / runs))
        let context = FigureContext(out: outURL, schedule: schedule,
                                    provenance: Provenance(command: command, seed: nil, version: "PMFKit \(toolkitVersion)"), backend: backend,
                                    log: { line in FileHandle.standardError.write(Data("pmf figures: \(line)\n".utf8)) })
        let builder = FigureBuilder(context: context)
        let chosen = only.isEmpty ? PaperFigure.defaultSet : PaperFigure.allCases.filter { only.contains($0.rawValue) }
        let terminals = formats.map(\.terminal)
        let program = GnuplotProgram.onPath()
        var reports: [Report] = []
        var instructions: [String] = []
        let (_, total) = try timed {
            let bar = ProgressBar(label: "pmf figures")
            try builder.train(for: chosen) { if !json { bar.report($0) } }
            bar.finish()
            for figure in chosen {
                if !json { print("\(figure.rawValue) (\(figure.paperReference))") }
                let (files, seconds) = try timed { () throws -> (files: [String], notes: [String]) in
                    let product = try builder.build(figure)
                    let outcomes = try product.write(to: outURL, terminals: terminals, program: program)
                    for case .notRendered(_, let text) in outcomes { instructions.append(text) }
                    let names = try product.fileNames(terminals: terminals).filter {
                        FileManager.default.fileExists(atPath: outURL.appendingPathComponent($0).path)
                    }
                    return (names, product.notes)
                }
                reports.append(Report(name: figure.rawValue, files: files.files, notes: files.notes, seconds: seconds))
                if !json {
                    for file in files.files { print("  \(out)/\(file)") }
                    for note in files.notes { print("  note: \(note)") }
                    if figure == .table2, let text = try? String(contentsOf: outURL.appendingPathComponent("table2.md"), encoding: .utf8) {
                        print(text)
                    }
                    print(String(format: "  %.1f s", seconds))
                }
            }
        }
        if json {
            struct Output: Encodable { let figures: [Report]; let seconds: Double; let out: String }
            try printJSON(Output(figures: reports, seconds: total, out: out))
        } else {
            if let first = instructions.first {
                print("gnuplot is not installed: the .dat and .gp files are written; render them with scripts/install-deps.sh, then e.g. \(first.split(separator: ";").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? first)")
            }
            print(String(format: "done in %.1f s; outputs in %@", total, out))
        }
    }
}
