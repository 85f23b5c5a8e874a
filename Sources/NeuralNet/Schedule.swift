import RealModule

/// A learning rate as a function of the iteration (0-based), docs/paper-notes.md §6.
public enum LearningRateSchedule: Equatable, Sendable, CustomStringConvertible {
    /// The base rate throughout.
    case constant
    /// Multiply by `factor` every `every` iterations (the paper: ×0.2 every 7k on MNIST, 30k on CIFAR).
    case step(every: Int, factor: Double)
    /// Multiply by `factor` at each milestone iteration.
    case multiStep(milestones: [Int], factor: Double)
    /// Multiply by `gamma` every iteration.
    case exponential(gamma: Double)

    /// The rate at `iteration` for base rate `base`.
    public func rate(base: Double, at iteration: Int) -> Double {
        switch self {
        case .constant: base
        case .step(let every, let factor): base * Double.pow(factor, Double(iteration / every))
        case .multiStep(let milestones, let factor): base * Double.pow(factor, Double(milestones.filter { $0 <= iteration }.count))
        case .exponential(let gamma): base * Double.pow(gamma, Double(iteration))
        }
    }

    /// The schedule as spec text, e.g. `step[every=7000,factor=0.2]`.
    public var description: String {
        switch self {
        case .constant: "constant"
        case .step(let every, let factor): "step[every=\(every),factor=\(factor)]"
        case .multiStep(let milestones, let factor): "multistep[at=\(milestones.map(String.init).joined(separator: ":")),factor=\(factor)]"
        case .exponential(let gamma): "exponential[gamma=\(gamma)]"
        }
    }
}
