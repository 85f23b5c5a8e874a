import ArgumentParser
import Figures
import Foundation
import Gnuplot

/// `pmf figures`: regenerates the paper's figures and tables as data, gnuplot scripts and renderings.
struct FiguresCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figures",
        abstract: "Regenerate the paper's figures and tables: .dat data, .gp scripts and (with gnuplot) rendered files.",
        discussion: """
        Figures: \(PaperFigure.allCases.map(\.rawValue).joined(separator: ", ")). Training figures run this \
        pmf binary as `pmf train … --out OUT/runs/ARCH-METHOD-sSEED` and reuse finished runs; `theorems` runs \
        `pmf check --out OUT/check`. Methods or subcommands this build lacks are skipped with a note.
        """)

    /// How much training: minutes or the paper's schedule.
    enum Mode: String, EnumerableFlag {
        case quick, full
        static func help(for value: Mode) -> ArgumentHelp? {
            switch value {
            case .quick: "Few epochs on a training subset, one seed (default; about 6 minutes of training on 2 cores after the quantized-training merge)."
            case .full: "The paper's schedule: 20k iterations (40 epochs at batch 100) on all of Fashion-MNIST, 3 seeds."
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

    @Flag var mode: Mode = .quick
    @Option(name: .customLong("only"), help: "Make only this figure (repeatable): \(PaperFigure.allCases.map(\.rawValue).joined(separator: ", ")).")
    var only: [String] = []
    @Option(help: "Output folder.") var out = "paper-figures/out"
    @Option(name: .customLong("terminal"), help: "Rendered format (repeatable): png, pdf, svg.") var formats: [Format] = [.png]
    @Option(help: "Comma-separated pmf train method specs for fig2-training and table2.")
    var methods = TrainingSchedule.paperMethods.joined(separator: ",")
    @Option(help: "The pmf executable that trains and checks (default: this one), e.g. another branch's build.") var pmf: String?
    @Flag(help: "Print {\"figures\": [{\"name\", \"files\", \"notes\", \"seconds\"}], \"seconds\"} instead of progress lines.") var json = false

    func validate() throws {
        let known = Set(PaperFigure.allCases.map(\.rawValue))
        if let unknown = only.first(where: { !known.contains($0) }) {
            throw CommandError("unknown figure '\(unknown)' for --only; use one of \(PaperFigure.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if methods.split(separator: ",").isEmpty { throw CommandError("--methods needs at least one method spec, e.g. ref,pmf") }
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
        var schedule = mode == .quick ? TrainingSchedule.quick : TrainingSchedule.full
        schedule.methods = methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let command = "pmf figures --\(mode.rawValue)" + (methods == TrainingSchedule.paperMethods.joined(separator: ",") ? "" : " --methods \(methods)")
        let context = FigureContext(out: outURL, schedule: schedule,
                                    provenance: Provenance(command: command, seed: nil, version: "PMFKit \(toolkitVersion)"),
                                    runner: try PMFExecutable.current(arguments: pmf.map { [$0] } ?? CommandLine.arguments),
                                    log: { line in FileHandle.standardError.write(Data("pmf figures: \(line)\n".utf8)) })
        let builder = FigureBuilder(context: context)
        let chosen = only.isEmpty ? PaperFigure.allCases : PaperFigure.allCases.filter { only.contains($0.rawValue) }
        let terminals = formats.map(\.terminal)
        let program = GnuplotProgram.onPath()
        var reports: [Report] = []
        var instructions: [String] = []
        let (_, total) = try timed {
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
