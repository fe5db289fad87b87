import FledgeServer
import Testing

@Suite("ListenAddress")
struct ListenAddressTests {
    @Test(arguments: [
        ("127.0.0.1:8080", "127.0.0.1", 8080),
        ("localhost:0", "localhost", 0),
        (":9090", "0.0.0.0", 9090),
        ("[::1]:8443", "::1", 8443),
        (" 0.0.0.0:65535 ", "0.0.0.0", 65535),
    ])
    func parses(text: String, host: String, port: Int) throws {
        let address = try ListenAddress(parsing: text)
        #expect(address == ListenAddress(host: host, port: port))
    }

    @Test(arguments: ["8080", "host:", "host:http", "host:65536", "::1:80", "[::1:80", "host:-1"])
    func rejects(text: String) {
        #expect(throws: ListenAddressError.self) { try ListenAddress(parsing: text) }
    }

    @Test func describesAndBuildsURLs() {
        #expect(ListenAddress(host: "::1", port: 80).description == "[::1]:80")
        #expect(ListeningAddress(host: "0.0.0.0", port: 8080).url == "http://127.0.0.1:8080")
        #expect(ListeningAddress(host: "::", port: 8080).url == "http://[::1]:8080")
        #expect(ListeningAddress(host: "10.0.0.1", port: 81).url == "http://10.0.0.1:81")
    }
}
