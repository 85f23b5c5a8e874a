import RealModule
import Support

/// The annealing of the inverse temperature β, one convention for MRF solvers and network
/// training alike (docs/paper-notes.md §4 step 5): β starts at β₀ and is multiplied by ρ every
/// `every` iterations, up to `cap` (the reference code's 10 000):
///
///     β(t) = min(cap, β₀ · ρ^⌊t/every⌋)   at 0-based iteration t.
///
/// As spec settings: `beta0`, `rho`, `every`, `cap`. A function of the iteration rather than a
/// running product, so a resumed run gets exactly the β of the uninterrupted one.
public struct BetaSchedule: Equatable, Sendable {
    /// β₀ > 0 (`beta0`).
    public var initial: Double
    /// ρ ≥ 1 (`rho`).
    public var rho: Double
    /// Iterations between multiplications by ρ (`every`, ≥ 1).
    public var every: Int
    /// The largest β (`cap`, ≥ β₀).
    public var cap: Double

    /// The spec keys, in printing order.
    public static let keys = ["beta0", "rho", "every", "cap"]

    public init(initial: Double = 1, rho: Double = 1.2, every: Int = 100, cap: Double = 1e4) {
        precondition(initial > 0 && rho >= 1 && every >= 1 && cap >= initial, "β schedule needs β₀ > 0, ρ ≥ 1, every ≥ 1, cap ≥ β₀")
        self.initial = initial
        self.rho = rho
        self.every = every
        self.cap = cap
    }

    /// The schedule from `beta0`, `rho`, `every` and `cap` in `reader`'s spec, `defaults` for the
    /// keys it does not set.
    public init<Failure>(reading reader: inout SpecReader<Failure>, defaults: BetaSchedule) throws(Failure) {
        let initial = try reader.number("beta0", default: defaults.initial, "a number > 0") { $0 > 0 && $0.isFinite }
        let rho = try reader.number("rho", default: defaults.rho, "a number ≥ 1") { $0 >= 1 && $0.isFinite }
        let every = try reader.integer("every", default: defaults.every, "an integer ≥ 1") { $0 >= 1 }
        let cap = try reader.number("cap", default: defaults.cap, "a finite number ≥ beta0") { $0 >= initial && $0.isFinite }
        guard cap >= initial else {  // the default cap, which the rule above does not see
            throw reader.error("beta0=\(SpecText.number(initial)) is above the default cap \(SpecText.number(cap)); set cap ≥ beta0 too")
        }
        self.init(initial: initial, rho: rho, every: every, cap: cap)
    }

    /// β used at 0-based iteration `t`.
    public func beta(at t: Int) -> Double {
        min(cap, initial * Double.pow(rho, Double(t / every)))
    }

    /// The settings as spec text, in `keys` order, each with whether it equals `defaults`' value.
    public func settings(comparedWith defaults: BetaSchedule) -> [(key: String, value: String, isDefault: Bool)] {
        [("beta0", SpecText.number(initial), initial == defaults.initial), ("rho", SpecText.number(rho), rho == defaults.rho),
         ("every", "\(every)", every == defaults.every), ("cap", SpecText.number(cap), cap == defaults.cap)]
    }
}
