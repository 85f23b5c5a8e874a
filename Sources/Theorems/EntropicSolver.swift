import CGSL
import Simplex

/// An independent solver for min_{u∈Δ} ⟨c, u⟩ − H(u)/β, the problem behind Lemma 2.1 and
/// Theorem 3.1, that never evaluates softmax.
///
/// Stationarity of the Lagrangian ⟨c,u⟩ + (1/β)Σ u log u + ν(Σu − 1) gives
/// u_λ(ν) = exp(−β(c_λ + ν) − 1); the multiplier ν is the root of ψ(ν) = log Σ_λ u_λ(ν), a strictly
/// decreasing function, found by GSL's Brent solver inside the bracket
/// [−c_min − 1/β − 1, −c_min − 1/β + (log d)/β + 1], where ψ changes sign.
func entropicMinimizer(cost c: [Double], beta: Double) -> [Double] {
    final class Context { let c: [Double]; let beta: Double; init(_ c: [Double], _ b: Double) { self.c = c; beta = b } }
    let context = Context(c, beta)
    let cMin = c.min()!
    let lower = -cMin - 1 / beta - 1
    let upper = -cMin - 1 / beta + Double.log(Double(c.count)) / beta + 1
    let pointer = Unmanaged.passRetained(context).toOpaque()
    defer { Unmanaged<Context>.fromOpaque(pointer).release() }
    var function = gsl_function(function: { nu, parameters in
        let context = Unmanaged<Context>.fromOpaque(parameters!).takeUnretainedValue()
        let exponents = context.c.map { -context.beta * ($0 + nu) - 1 }
        let top = exponents.max()!
        return top + Double.log(exponents.reduce(0) { $0 + Double.exp($1 - top) })
    }, params: pointer)
    let solver = gsl_root_fsolver_alloc(cgsl_root_brent())!
    defer { gsl_root_fsolver_free(solver) }
    gsl_root_fsolver_set(solver, &function, lower, upper)
    for _ in 0 ..< 500 {
        gsl_root_fsolver_iterate(solver)
        let (a, b) = (gsl_root_fsolver_x_lower(solver), gsl_root_fsolver_x_upper(solver))
        if gsl_root_test_interval(a, b, 0, 1e-16) == GSL_SUCCESS { break }
    }
    let nu = gsl_root_fsolver_root(solver)
    return c.map { Double.exp(-beta * ($0 + nu) - 1) }
}

