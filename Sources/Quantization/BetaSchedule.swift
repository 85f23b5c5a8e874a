import RealModule

/// The annealing of the inverse temperature β (docs/paper-notes.md §4 step 5): β starts at β₀ and is
/// multiplied by ρ every `every` iterations, up to `cap` (the reference code's 10 000):
/// β(t) = min(cap, β₀ · ρ^⌊t/every⌋) at 0-based iteration t.
///
/// A function of the iteration rather than a running product, so a resumed run gets exactly the β
/// of the uninterrupted one.
public struct BetaSchedule: Equatable, Sendable {
    public var initial: Double
    public var rho: Double
    public var every: Int
    public var cap: Double

    public init(initial: Double = 1, rho: Double = 1.2, every: Int = 100, cap: Double = 1e4) {
        precondition(initial > 0 && rho >= 1 && every >= 1 && cap >= initial, "β schedule needs β₀ > 0, ρ ≥ 1, every ≥ 1, cap ≥ β₀")
        self.initial = initial
        self.rho = rho
        self.every = every
        self.cap = cap
    }

    /// β used at 0-based iteration `t`.
    public func beta(at t: Int) -> Double {
        min(cap, initial * Double.pow(rho, Double(t / every)))
    }
}
