// Solving a Potts model with proximal mean-field, next to mean-field, BP and the exact answer.
//
//     swift run PottsPMF
//
// A 6×12 Potts grid with 3 labels and frustrated (mixed-sign) couplings is small enough for the
// junction tree to give the exact log Z, marginals and MAP; every other algorithm is one `Algorithm`
// value parsed from its spec text, exactly as `pmf mrf solve --algo SPEC` does.
import MRF
import Simplex

let random = RandomSource(seed: 42)
let graph = ModelGenerator.pairwise(variables: 72, edges: Topology.grid(rows: 6, columns: 12), potential: .potts,
                                    labels: 3, coupling: 1, field: 1, couplings: .mixed, random: random)
let compiled = CompiledGraph(graph)
let exact = try ExactSettings().solve(compiled)
print("exact: log Z = \(exact.logZ), MAP energy = \(exact.mapEnergy)")

for spec in ["mf", "pmf[eta=0.5,beta0=1,rho=1.05,every=10]", "softmax-pgd", "sparsemax-pgd", "picm", "bp"] {
    let algorithm = try Algorithm(parsing: spec)
    let result = try algorithm.run(on: compiled, reference: exact)
    let error = zip(result.marginals, exact.marginals).map { row in zip(row.0, row.1).map { abs($0 - $1) }.max()! }.max()!
    print("\(algorithm): rounded energy \(result.energy) (MAP \(exact.mapEnergy)), log Z estimate \(result.logZ), "
          + "max marginal error \(error), \(result.iterations) iterations")
}
