import Foundation
import NeuralNet
import Simplex
import Support

/// The hyperparameters of one cell of supp. Table 4 (docs/paper-notes.md §6): a dataset, a network
/// and a method, with the optimizer, learning rate, schedule, weight decay, batch size and length
/// of the paper's runs (K iterations, and the whole epochs of the 5/6 or 9/10 training split they make),
/// and the evaluation protocol.
///
/// Where the paper's text is explicit the presets follow it (Table 4's values; ×0.2 steps of the
/// learning rate for every method but PQ); where it is silent, the authors' code (docs/paper-notes.md
/// §9–10): PMF's two-softmax pullback (`jacobian=reference`), ũ drawn independently like the
/// reference code's d×-wide layers (`init=independent` for picm, pgd, pmf), ProxQuant's constant
/// learning rate with λ counting the paper run's epochs (`span`), and validation of the quantized
/// network alone with the running BatchNorm statistics every 100 iterations, the best kept.
public struct Preset: Equatable, Sendable {
    public var name: String
    public var dataset: DatasetKind
    public var arch: Architecture
    public var method: MethodSpec
    public var optimizer: OptimizerKind
    public var learningRate: Double
    public var momentum: Double
    public var weightDecay: Double
    public var schedule: LearningRateSchedule
    public var batchSize: Int
    public var epochs: Int
    /// The paper's run length K in iterations (20k for MNIST, 100k for CIFAR): the iteration counts
    /// of the β and learning-rate schedules are fractions of it.
    public var iterations: Int
    public var levels = QuantizationLevels.binary
    /// The BatchNorm statistics evaluated networks use: the reference code's running statistics.
    public var batchNorm = BatchNormEvaluation.running
    /// The networks each trace row validates: the quantized one, as the reference code does.
    public var validate = ValidatedNetworks.quantized
    /// Where a value is the paper's default rather than a Table 4 entry, or an assumption.
    public var note: String

    /// Every preset: {mnist-lenet300, mnist-lenet5, cifar10-vgg16, cifar10-resnet18, cifar100-vgg16,
    /// cifar100-resnet18} × {ref, bc, picm, pq, pgd, pmf}.
    public static let all: [Preset] = {
        var presets: [Preset] = []
        // MNIST: b = 100, K = 20k iterations = 40 epochs of 50k; step ×0.2 every 7k, wd 0.
        let mnistStep = LearningRateSchedule.step(every: 7000, factor: 0.2)
        // ProxQuant's own code keeps Adam's learning rate constant.
        let proxQuant = "ProxQuant's code: constant lr, λ over the paper run's epochs"
        for arch in [Architecture.lenet300, .lenet5] {
            func add(_ method: String, _ optimizer: OptimizerKind, _ lr: Double, schedule: LearningRateSchedule = mnistStep, note: String = "") {
                presets.append(Preset(name: "mnist-\(arch.rawValue)-\(method.prefix { $0 != "[" })", dataset: .mnist, arch: arch,
                                      method: try! MethodSpec(parsing: method),
                                      optimizer: optimizer, learningRate: lr, momentum: 0.9, weightDecay: 0, schedule: schedule,
                                      batchSize: 100, epochs: 40, iterations: 20_000, note: note))
            }
            add("ref", .adam, 1e-3)
            add("bc", .adam, 1e-3)
            add("picm[init=independent]", .adam, 1e-3)
            add("pq[reg=0.001,span=40]", .adam, 0.01, schedule: .constant, note: proxQuant)
            add("pgd[rho=1.2,every=100,cap=10000,init=independent]", .adam, 1e-3, note: "schedule: MNIST default")
            add("pmf[rho=1.2,every=100,cap=10000,jacobian=reference,init=independent]", .adam, 1e-3, note: "schedule: MNIST default")
        }
        // CIFAR: b = 128, K = 100k iterations = 285 epochs of 45k; step ×0.2 every 30k;
        // wd 5e-4 (REF) / 1e-4 (quantized).
        let cifarStep = LearningRateSchedule.step(every: 30000, factor: 0.2)
        for dataset in [DatasetKind.cifar10, .cifar100] {
            let assumed = dataset == .cifar100 ? "CIFAR-10's Table 4 values (the paper gives none for CIFAR-100)" : ""
            for arch in [Architecture.vgg16, .resnet18] {
                func add(_ method: String, _ optimizer: OptimizerKind, _ lr: Double, wd: Double = 1e-4,
                         schedule: LearningRateSchedule = cifarStep, note: String = "") {
                    let text = [assumed, note].filter { !$0.isEmpty }.joined(separator: "; ")
                    presets.append(Preset(name: "\(dataset.rawValue)-\(arch.rawValue)-\(method.prefix { $0 != "[" })", dataset: dataset,
                                          arch: arch, method: try! MethodSpec(parsing: method), optimizer: optimizer, learningRate: lr,
                                          momentum: 0.9, weightDecay: wd,
                                          schedule: schedule, batchSize: 128, epochs: 285, iterations: 100_000, note: text))
                }
                add("ref", .sgd, 0.1, wd: 5e-4)
                add("bc", .adam, 1e-4)
                add("picm[init=independent]", .adam, 1e-4)
                add("pq[reg=0.0001,span=285]", .adam, 0.01, schedule: .constant,
                    note: proxQuant + (arch == .resnet18 ? "; reg assumed 1e-4 (Table 4 gives none for ResNet-18)" : ""))
                if arch == .vgg16 {
                    add("pgd[rho=1.05,every=100,cap=10000,init=independent]", .adam, 1e-4)
                    add("pmf[rho=1.05,every=100,cap=10000,jacobian=reference,init=independent]", .adam, 1e-3)
                } else {
                    add("pgd[rho=1.01,every=100,cap=10000,init=independent]", .sgd, 0.1)
                    add("pmf[rho=1.02,every=100,cap=10000,jacobian=reference,init=independent]", .adam, 1e-3)
                }
            }
        }
        return presets
    }()

    /// The preset's method and learning-rate schedule for a run of `runIterations` iterations
    /// instead of the paper's K, keeping their shape: every iteration count (β ← ρβ every N, the
    /// learning-rate steps) becomes N · runIterations / K, at least 1, so a shorter run (fewer
    /// epochs, or a `--limit`ed training set) anneals β to the same final value as the paper's.
    /// ProxQuant's λ needs no change: its `span` already counts the paper run's epochs over
    /// whatever length the run has, and its freeze is a fraction of the run.
    public func rescaled(toIterations runIterations: Int) -> Preset {
        guard runIterations != iterations else { return self }
        let factor = Double(runIterations) / Double(iterations)
        func scale(_ n: Int) -> Int { max(1, Int((Double(n) * factor).rounded())) }
        var copy = self
        copy.iterations = runIterations
        if [.pgd, .pmf, .md].contains(method.kind) {
            let beta = method.beta
            copy.method.beta = BetaSchedule(initial: beta.initial, rho: beta.rho, every: scale(beta.every), cap: beta.cap)
        }
        switch schedule {
        case .step(let every, let factor): copy.schedule = .step(every: scale(every), factor: factor)
        case .multiStep(let milestones, let factor): copy.schedule = .multiStep(milestones: milestones.map(scale), factor: factor)
        case .constant, .exponential: break
        }
        return copy
    }

    /// The preset called `name`.
    public static func named(_ name: String) throws(QuantizationError) -> Preset {
        guard let preset = all.first(where: { $0.name == name }) else {
            throw QuantizationError("unknown preset '\(name)'; pmf train --list-presets lists the \(all.count) presets")
        }
        return preset
    }

    /// One line per preset, for `pmf train --list-presets`.
    public static var table: String {
        let header = ["name", "dataset", "arch", "method", "optimizer", "lr", "wd", "schedule", "batch", "epochs", "bn", "validate", "note"]
        let rows = all.map { p in
            [p.name, p.dataset.rawValue, p.arch.rawValue, p.method.description, p.optimizer == .sgd ? "sgd(m=\(SpecText.number(p.momentum)))" : "adam",
             SpecText.number(p.learningRate), SpecText.number(p.weightDecay), p.schedule.description, String(p.batchSize), String(p.epochs),
             p.batchNorm.description, p.validate.rawValue, p.note]
        }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max()! }
        return ([header] + rows).map { row in
            row.enumerated().map { $0.element.padding(toLength: widths[$0.offset], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
