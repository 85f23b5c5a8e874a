import Figures
import Foundation
import Gnuplot
import MRF
import Testing

@Suite("Every figure renders and is reproducible")
struct RenderingTests {
    /// Every catalogue entry built from the fake training and the real checks, small MRFs.
    func products(in folder: URL) throws -> [FigureProduct] {
        let build = builder(folder, backend: FakeTraining())
        return try [PaperFigure.fig1Simplex, .fig2Training, .fig3Rho, .table2, .theorems].map { try build.build($0) }
            + [FigureProduct(figures: [try MRFFigure(models: MRFFigure.paperModels(side: 4), provenance: testProvenance).figure()])]
            + [try FigureDataTests.smallCoupling.product()]
    }

    @Test("every script renders with gnuplot to png, pdf and svg without a warning")
    func renders() throws {
        guard let gnuplot = gnuplotForTest() else { return }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for product in try products(in: folder) {
            let outcomes = try product.write(to: folder, terminals: Terminal.allCases, program: gnuplot)
            #expect(outcomes.allSatisfy { if case .rendered = $0 { true } else { false } })
            for name in try product.fileNames(terminals: Terminal.allCases) {
                #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name) missing")
            }
        }
    }

    @Test("the same inputs give byte-identical .dat, .gp, .md and .tex files")
    func deterministic() throws {
        let first = try makeTemporaryFolder(), second = try makeTemporaryFolder()
        defer { for folder in [first, second] { try? FileManager.default.removeItem(at: folder) } }
        for folder in [first, second] {
            for product in try products(in: folder) {
                _ = try product.write(to: folder, terminals: [.pngcairo, .svg], program: nil)
            }
        }
        let names = try FileManager.default.contentsOfDirectory(atPath: first.path)
            .filter { name in [".dat", ".gp", ".md", ".tex"].contains { name.hasSuffix($0) } }.sorted()
        #expect(names.count > 15)
        for name in names {
            let a = FileManager.default.contents(atPath: first.appendingPathComponent(name).path)
            let b = FileManager.default.contents(atPath: second.appendingPathComponent(name).path)
            #expect(a != nil && a == b, "\(name) differs between two runs")
        }
    }

    @Test("without gnuplot the scripts are written with instructions")
    func withoutGnuplot() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let product = FigureProduct(figures: [SimplexFigure(provenance: testProvenance).figure])
        let outcomes = try product.write(to: folder, terminals: [.pngcairo], program: nil)
        guard case .notRendered(_, let instructions) = try #require(outcomes.first) else {
            Issue.record("expected a not-rendered outcome")
            return
        }
        #expect(instructions.contains("gnuplot fig1-simplex.png.gp"))
    }
}
