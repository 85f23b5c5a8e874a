import Gnuplot
import Testing

/// Markdown and LaTeX tables, exact text.
@Suite struct TableTests {
    let table = Table(header: ["Method", "MNIST (%)", "Note"], alignments: [.left, .right, .center],
                      rows: [["REF (float)", "99.2", "a|b"], ["PMF", "99.0", "x_1 & 5% of $"]])

    @Test func markdown() throws {
        #expect(try table.markdown() == """
        | Method      | MNIST (%) |     Note      |
        |:------------|----------:|:-------------:|
        | REF (float) |      99.2 |     a\\|b      |
        | PMF         |      99.0 | x_1 & 5% of $ |

        """)
    }

    @Test func narrowColumnsAreThreeWide() throws {
        #expect(try Table(header: ["a"], rows: [["1"]]).markdown() == "| a   |\n|:----|\n| 1   |\n")
    }

    @Test func latex() throws {
        #expect(try table.latex() == #"""
        \begin{tabular}{lrc}
        \toprule
        Method & MNIST (\%) & Note \\
        \midrule
        REF (float) & 99.2 & a|b \\
        PMF & 99.0 & x\_1 \& 5\% of \$ \\
        \bottomrule
        \end{tabular}

        """#)
        #expect(try Table(header: [##"\~^{}#"##], rows: []).latex().contains(##"\textbackslash{}\textasciitilde{}\textasciicircum{}\{\}\# \\"##))
    }

    @Test func mismatchedShapesAreRefused() {
        #expect(throws: GnuplotError.invalidTable("row 0 has 1 cells for 2 columns")) {
            try Table(header: ["a", "b"], rows: [["1"]]).markdown()
        }
        #expect(throws: GnuplotError.self) { try Table(header: ["a", "b"], alignments: [.left], rows: []).latex() }
        #expect(throws: GnuplotError.self) { try Table(header: [], rows: []).latex() }
    }
}
