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

/// The one typed reader: defaults, validity rules and unknown keys, in one error style.
@Suite struct SpecReaderTests {
    struct Failure: Error, Equatable { let message: String }

    func reader(_ text: String) throws -> SpecReader<Failure> {
        SpecReader(try SpecText(parsing: text, what: "method"), what: "method") { Failure(message: $0) }
    }

    @Test func readsTypedValuesWithDefaults() throws {
        var r = try reader("pmf[rho=1.5,tilde=false,at=1:2]")
        #expect(try r.number("rho", default: 1, "a number ≥ 1") { $0 >= 1 } == 1.5)
        #expect(try r.number("eta", default: 0.25, "a number > 0") { $0 > 0 } == 0.25)
        #expect(try r.flag("tilde", default: true) == false)
        #expect(r.string("at") == "1:2")
        try r.finish()
    }

    @Test func badValuesAndUnknownKeysNameTheSetting() throws {
        var r = try reader("pmf[rho=0.5]")
        #expect(throws: Failure(message: "method 'pmf': rho=0.5 is invalid; rho must be a number ≥ 1")) {
            _ = try r.number("rho", default: 1, "a number ≥ 1") { $0 >= 1 }
        }
        var s = try reader("pmf[every=2,colour=red]")
        _ = try s.integer("every", default: 1, "an integer ≥ 1") { $0 >= 1 }
        #expect(throws: Failure(message: "method 'pmf' has no setting 'colour'; it takes every")) { try s.finish() }
        #expect(throws: Failure(message: "method 'ref' has no setting 'rho'; it takes no settings")) { try reader("ref[rho=1]").finish() }
        var n = try reader("pmf[rho=nan]")
        #expect(throws: Failure.self) { _ = try n.number("rho", default: 1, "a number") { _ in true } }
    }
}
