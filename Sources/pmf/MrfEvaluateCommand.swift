import ArgumentParser
import Figures
import Foundation
import Gnuplot
import MRF
import Support

/// `pmf mrf evaluate`: algorithms against the UAI answer files of every model in a folder.
struct MrfEvaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Run algorithms on every model of a folder and tabulate their errors against the UAI answer files beside each.",
        discussion: """
        FOLDER holds models NAME.uai (MARKOV or BAYES) or NAME.fg with answer files beside them in the UAI 2014 \
        convention: NAME.uai.PR (log10 Z), NAME.uai.MAR (marginals), NAME.uai.MPE (a MAP labelling) and, when \
        present, the evidence NAME.uai.evid, applied as pmf mrf solve --evidence does. A model with none of the \
        three answer files is left out with a note; a missing answer makes its columns unavailable (—, null). \
        Per instance and algorithm: |log Z − log Z*| in nats; the marginal error e_i = max_a |b_i(a) − p_i(a)| \
        averaged and maximised over the variables the evidence leaves free; the mean Hellinger error \
        sqrt(1 − Σ_a sqrt(b_i(a) p_i(a))) over the same variables; the MAP gap E(labelling) − E(MPE); iterations \
        and seconds. SPEC is as for pmf mrf solve (default: mf, pmf, bp, trw; add exact to check the answers); \
        an algorithm that cannot run on a model is listed as skipped. --out DIR writes evaluate.md, \
        evaluate.json, evaluate.dat (one dataset per algorithm) and the figure evaluate.png (error against \
        seconds, log-log) with its gnuplot script.
        """)

    @Argument(help: "Folder of model files with UAI answer files beside them.") var folder: String
    @Option(name: .customLong("algo"), help: "Algorithm spec (repeatable; default: \(Algorithm.evaluateDefaults.map(\.description).joined(separator: ", "))).") var algorithms: [String] = []
    @Option(help: "Output folder for evaluate.md, evaluate.json, evaluate.dat and the figure.") var out: String?
    @Option(name: .customLong("terminal"), help: "Figure format with --out (repeatable): png, pdf, svg.")
    var formats: [FiguresCommand.Format] = [.png]
    @Flag(help: "Print {\"algorithms\", \"instances\": [{\"name\", \"variables\", \"observed\", \"answers\", \"logZ\", \"mpeEnergy\"}], \"results\": [{\"instance\", \"algo\", \"logZ\", \"logZError\", \"meanMarginalError\", \"maxMarginalError\", \"hellinger\", \"mapGap\", \"energy\", \"iterations\", \"seconds\"}], \"skipped\": [{\"instance\", \"algo\", \"reason\", \"seconds\"}], \"notes\"}.")
    var json = false

    struct Instance: Encodable {
        let name: String
        let variables, observed: Int
        let answers: [String]
        let logZ, mpeEnergy: Double?
    }

    struct Row: Encodable {
        let instance, algo: String
        let logZ, logZError, meanMarginalError, maxMarginalError, hellinger, mapGap, energy: Double?
        let iterations: Int
        let seconds: Double
    }

    struct Skipped: Encodable { let instance, algo, reason: String; let seconds: Double }

    struct Output: Encodable {
        let algorithms: [String]
        let instances: [Instance]
        let results: [Row]
        let skipped: [Skipped]
        let notes: [String]

        init(_ report: EvaluationReport) {
            algorithms = report.algorithms
            instances = report.instances.map {
                Instance(name: $0.name, variables: $0.variables, observed: $0.observed, answers: $0.answers.map(\.rawValue),
                         logZ: $0.logZ.flatMap(jsonNumber), mpeEnergy: $0.mpeEnergy.flatMap(jsonNumber))
            }
            results = report.rows.map {
                Row(instance: $0.instance, algo: $0.algorithm, logZ: jsonNumber($0.logZ), logZError: $0.errors.logZ.flatMap(jsonNumber),
                    meanMarginalError: $0.errors.meanMarginal.flatMap(jsonNumber), maxMarginalError: $0.errors.maxMarginal.flatMap(jsonNumber),
                    hellinger: $0.errors.hellinger.flatMap(jsonNumber), mapGap: $0.errors.mapGap.flatMap(jsonNumber),
                    energy: jsonNumber($0.energy), iterations: $0.iterations, seconds: $0.seconds)
            }
            skipped = report.failures.map { Skipped(instance: $0.instance, algo: $0.algorithm, reason: $0.reason, seconds: $0.seconds) }
            notes = report.notes
        }
    }

    func run() throws {
        let chosen = algorithms.isEmpty ? Algorithm.evaluateDefaults : try parseAlgorithms(algorithms)
        let report = try Evaluation(algorithms: chosen).run(folder: folder)
        guard !report.instances.isEmpty else {
            throw CommandError("\(folder): no model file (NAME.uai or NAME.fg) with an answer file NAME.uai.PR, .MAR or .MPE beside it; write answers with pmf mrf solve --algo exact --uai-output")
        }
        let command = (["pmf mrf evaluate", folder] + chosen.map { "--algo '\($0.description)'" }).joined(separator: " ")
        let outputs = EvaluationFigure(report: report, provenance: Provenance(command: command, seed: nil, version: "PMFKit \(toolkitVersion)"))
        let jsonOutput = try jsonText(Output(report))
        let markdown = try outputs.markdown()
        var written: [String] = [], instructions: String?
        if let out {
            let folder = URL(fileURLWithPath: out, isDirectory: true)
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            } catch {
                throw CommandError("cannot create the output directory \(out); check the path and permissions")
            }
            try writeAtomically(markdown, to: folder.appendingPathComponent("evaluate.md"))
            try writeAtomically(jsonOutput + "\n", to: folder.appendingPathComponent("evaluate.json"))
            written = ["evaluate.md", "evaluate.json", outputs.dataFile().fileName]
            if let figure = outputs.figure() {
                let terminals = formats.map(\.terminal)
                for case .notRendered(_, let text) in try figure.export(to: folder, terminals: terminals) { instructions = text }
                written += terminals.flatMap { [figure.scriptFileName(for: $0), figure.outputFileName(for: $0)] }.filter {
                    FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).path)
                }
            } else {
                try outputs.dataFile().write(in: folder)
            }
        }
        if json {
            print(jsonOutput)
            return
        }
        print(markdown, terminator: "")
        if let out { print("\nwritten to \(out): \(written.joined(separator: ", "))") }
        if let instructions { print(instructions) }
    }
}
