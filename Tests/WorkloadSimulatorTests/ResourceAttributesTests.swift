import Testing
@testable import WorkloadSimulator

@Suite struct ResourceAttributesTests {
    @Test func parsesPlainEntriesTrimmingSpaces() {
        let attributes = ResourceAttributes(parsing: " service.version = 1.2.0 ,deployment.track=canary,team=payments")
        #expect(attributes.values == ["service.version": "1.2.0", "deployment.track": "canary", "team": "payments"])
        #expect(attributes.problems.isEmpty)
    }

    @Test func decodesPercentEncodedCommaEqualsAndPercent() {
        let attributes = ResourceAttributes(parsing: "note=a%2Cb%3Dc%25d,key%3Dwith%2Cstuff=x,space=two%20words")
        #expect(attributes["note"] == "a,b=c%d")
        #expect(attributes["key=with,stuff"] == "x")
        #expect(attributes["space"] == "two words")
        #expect(attributes.problems.isEmpty)
    }

    @Test func decodesMultiByteUTF8() {
        #expect(ResourceAttributes(parsing: "city=Z%C3%BCrich")["city"] == "Zürich")
    }

    @Test func skipsMalformedEntriesAndKeepsTheRest() {
        let attributes = ResourceAttributes(parsing: "novalue,=empty,bad=%zz,cut=%4,notutf8=%FF,service.version=1.0.0,,")
        #expect(attributes.values == ["service.version": "1.0.0"])
        #expect(attributes.problems.count == 5)
        #expect(attributes.problems.contains { $0.contains("\"novalue\"") && $0.contains("no \"=\"") })
        #expect(attributes.problems.contains { $0.contains("empty key") })
        #expect(attributes.problems.filter { $0.contains("percent-encoding") }.count == 3)
    }

    @Test func valueMayContainAnUnencodedEqualsAfterTheFirst() {
        // The first `=` separates key and value; lenient like the SDKs.
        #expect(ResourceAttributes(parsing: "formula=a=b")["formula"] == "a=b")
    }

    @Test func lastDuplicateWins() {
        #expect(ResourceAttributes(parsing: "deployment.track=stable,deployment.track=canary")["deployment.track"] == "canary")
    }

    @Test func emptyTextHasNoAttributes() {
        let attributes = ResourceAttributes(parsing: "  ")
        #expect(attributes.values.isEmpty)
        #expect(attributes.problems.isEmpty)
    }

    @Test func formatRoundTrips() {
        let values = ["service.version": "1.0,beta=2%", "deployment.track": "canary", "k e y": "v\nw"]
        let text = ResourceAttributes.format(values)
        #expect(!text.contains(" "))
        #expect(text.split(separator: ",").count == 3)
        #expect(ResourceAttributes(parsing: text).values == values)
    }
}
