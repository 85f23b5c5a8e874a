import Support
import Testing

/// The shared spec grammar: what it accepts, how it prints, and its one error style.
@Suite struct SpecTextTests {
    @Test func parsesAndPrintsBack() throws {
        let spec = try SpecText(parsing: " pmf [ rho = 1.2 , every=100 ] ", what: "method")
        #expect(spec.name == "pmf" && spec.settings.map(\.key) == ["rho", "every"] && spec.value("every") == "100")
        #expect(spec.description == "pmf[rho=1.2,every=100]")
        #expect(try SpecText(parsing: spec.description, what: "method") == spec)
        #expect(try SpecText(parsing: "bp", what: "algorithm") == SpecText(name: "bp"))
        #expect(try SpecText(parsing: "exact[]", what: "algorithm").description == "exact")
        #expect(try SpecText(parsing: "multistep[at=100:200]", what: "schedule").value("at") == "100:200")
    }

    @Test(arguments: [("pmf[eta=1,]", "an empty setting"), ("pmf[eta=1", "no closing ']'"), ("pmf[eta]", "'eta' is not key=value"),
                      ("bp[tol=1,tol=2]", "'tol' is given twice"), ("a[b]c]", "one pair of brackets"), ("", "write a name"),
                      ("p m", "write a name"), ("[rho=1]", "write a name"), ("pmf[rho=]", "empty key or value")])
    func malformedSpecsAreOneLineErrors(_ text: String, _ fragment: String) {
        do {
            _ = try SpecText(parsing: text, what: "method")
            Issue.record("'\(text)' parsed")
        } catch {
            #expect(error.description.hasPrefix("malformed method '\(text)': ") && error.description.contains(fragment), "\(error)")
            #expect(!error.description.contains("\n"))
        }
    }
}
