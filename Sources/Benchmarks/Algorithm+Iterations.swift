import MRF

extension Algorithm {
    /// These settings with `maxiter = count` and `tol = 0`, so an iterative method runs exactly
    /// `count` iterations; exact inference and TRW are returned unchanged.
    func iterations(_ count: Int) -> Algorithm {
        switch self {
        case .relaxation(var s):
            (s.maxIterations, s.tolerance) = (count, 0)
            return .relaxation(s)
        case .beliefPropagation(var s):
            (s.maxIterations, s.tolerance) = (count, 0)
            return .beliefPropagation(s)
        case .exact, .treeReweighted: return self
        }
    }
}
