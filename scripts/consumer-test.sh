#!/usr/bin/env bash
# PMFKit as a versioned SwiftPM dependency, the way another project uses it: a temporary clone of
# this repository's committed HEAD tagged 0.1.0, and a tiny package that depends on it through a
# file:// URL and `from: "0.1.0"`, imports Simplex and MRF, builds and runs. SwiftPM refuses
# versioned dependencies with unsafe build flags, so this fails if Package.swift ever has them.
set -euo pipefail
repo=$(git -C "$(dirname "$0")/.." rev-parse --show-toplevel)
work=$(mktemp -d "${TMPDIR:-/tmp}/pmfkit-consumer.XXXXXX")
trap 'rm -rf "$work"' EXIT

git clone --quiet --no-local "$repo" "$work/pmfkit"
git -C "$work/pmfkit" -c user.name=consumer-test -c user.email=consumer-test@localhost tag -a 0.1.0 -m "consumer test"

mkdir -p "$work/consumer/Sources/consumer"
cat > "$work/consumer/Package.swift" <<SWIFT
// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "consumer",
    dependencies: [.package(url: "file://$work/pmfkit", from: "0.1.0")],
    targets: [
        .executableTarget(name: "consumer", dependencies: [
            .product(name: "Simplex", package: "pmfkit"),
            .product(name: "MRF", package: "pmfkit"),
        ]),
    ]
)
SWIFT
cat > "$work/consumer/Sources/consumer/main.swift" <<'SWIFT'
import MRF
import Simplex

// softmax of one row sums to 1; BP on a chain is exact, so its log Z equals the junction tree's.
let row = Projection<Double>.softmax(beta: 2)([0.3, -1.0, 0.5])
precondition(abs(row.reduce(0, +) - 1) < 1e-12, "softmax row does not sum to 1: \(row)")
let chain = CompiledGraph(ModelGenerator.pairwise(variables: 6, edges: Topology.chain(6), potential: .potts, labels: 3,
                                                  coupling: 1, field: 1, couplings: .mixed, random: RandomSource(seed: 4)))
let exact = try ExactSettings().solve(chain)
let bp = try Algorithm(parsing: "bp").run(on: chain)
precondition(abs(exact.logZ - bp.logZ) < 1e-9, "BP \(bp.logZ) ≠ exact \(exact.logZ) on a chain")
print("consumer: PMFKit 0.1.0 as a dependency — softmax \(row.map { ($0 * 1000).rounded() / 1000 }), log Z \(exact.logZ) (exact) = \(bp.logZ) (BP)")
SWIFT

cd "$work/consumer"
swift build --quiet
"$(swift build --show-bin-path)/consumer"
