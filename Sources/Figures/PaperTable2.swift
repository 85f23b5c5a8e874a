/// The paper's Table 2 MNIST rows (1-bit, top-1 % of the quantized network, Sec. 5) and the
/// comparison of a reproduction with them, stated claim by claim.
public enum PaperTable2 {
    /// The paper's MNIST numbers, per `pmf train --arch` value and method base name, in percent.
    public static let mnist: [String: [String: Double]] = [
        "lenet300": ["ref": 98.55, "bc": 98.05, "pq": 98.13, "picm": 98.18, "pgd": 98.21, "pmf": 98.24],
        "lenet5": ["ref": 99.39, "bc": 99.30, "pq": 99.27, "picm": 99.31, "pgd": 99.28, "pmf": 99.44],
    ]

    /// The quantized methods of Table 2.
    static let quantized = ["bc", "pq", "picm", "pgd", "pmf"]

    /// `PMF 98.24 > PGD 98.21 > …`: the methods present in `values` (percent), best first.
    static func ordering(_ values: [String: Double]) -> String {
        values.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
            .map { "\($0.key.uppercased()) \(String(format: "%.2f", $0.value))" }.joined(separator: " > ")
    }

    /// Markdown comparing the measured means (percent, per method base name) on `arch` with the
    /// paper's MNIST row, as one paragraph: both orderings of the quantized methods, then a list of
    /// the claims (the paper's, and the acceptance bounds of this reproduction), each with whether it
    /// holds here. Empty when the paper has no row for `arch` or a quantized method was not measured.
    public static func comparison(title: String, arch: String, measured: [String: Double]) -> [String] {
        guard let paper = mnist[arch], quantized.allSatisfy({ measured[$0] != nil }) else { return [] }
        let here = measured.filter { quantized.contains($0.key) }, there = paper.filter { quantized.contains($0.key) }
        func verdict(_ holds: Bool) -> String { holds ? "reproduces" : "does not reproduce" }
        let best = here.max { $0.value < $1.value || ($0.value == $1.value && $0.key > $1.key) }!.key
        let (pmf, pgd, bc, picm) = (here["pmf"]!, here["pgd"]!, here["bc"]!, here["picm"]!)
        let farthest = here.filter { $0.key != "bc" }.min { $0.value < $1.value }!
        var claims = [
            "PMF is the best quantized method (paper: yes): \(verdict(best == "pmf")) — best here is \(best.uppercased()).",
            "PMF ≥ BC and PMF ≥ PICM: \(verdict(pmf >= bc && pmf >= picm)) (PMF − BC = \(signed(pmf - bc)), PMF − PICM = \(signed(pmf - picm))).",
            "PICM ≥ BC (paper: PICM slightly above BC everywhere): \(verdict(picm >= bc)) (\(picm == bc ? "equal: the two runs coincide" : signed(picm - bc))).",
            "PGD within 1 point of PMF: \(verdict(abs(pgd - pmf) <= 1)) (PGD − PMF = \(signed(pgd - pmf))).",
            "Every quantized method within 1.5 points of BC or above it: \(verdict(here.values.allSatisfy { $0 >= bc - 1.5 })) (lowest: \(farthest.key.uppercased()) at \(signed(farthest.value - bc)) from BC).",
        ]
        if let ref = measured["ref"] {
            claims.append("REF − PMF: \(String(format: "%.2f", ref - pmf)) points here, \(String(format: "%.2f", paper["ref"]! - paper["pmf"]!)) in the paper on MNIST.")
        }
        return ["**\(title)** — quantized methods here: \(ordering(here)); in the paper (MNIST): \(ordering(there)).\n\n"
            + claims.map { "- \($0)" }.joined(separator: "\n")]
    }

    private static func signed(_ x: Double) -> String { String(format: "%+.2f", x) }
}
