import Foundation
import KubeJSON
import Synchronization

/// Which template a Deployment runs: a short, stable hash of the template's canonical JSON (keys sorted) and
/// the version. Equal templates hash equal whatever their key order.
public enum TemplateHash {
    /// Recent answers: every reconcile resolves its Rollout (and the planner's simulation thousands of times), and
    /// the canonical JSON costs far more than a lookup. Bounded: cleared when full.
    private static let memo = Mutex<[Key: String]>([:])
    private static let memoLimit = 4096

    private struct Key: Hashable {
        var template: JSONValue
        var version: String
    }

    public static func of(template: JSONValue, version: String) -> String {
        let key = Key(template: template, version: version)
        if let known = memo.withLock({ $0[key] }) { return known }
        let hash = compute(template: template, version: version)
        memo.withLock { memo in
            if memo.count >= memoLimit { memo.removeAll(keepingCapacity: true) }
            memo[key] = hash
        }
        return hash
    }

    static func compute(template: JSONValue, version: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a 64
        func feed(_ bytes: some Sequence<UInt8>) {
            for b in bytes {
                hash ^= UInt64(b)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        feed(((try? template.data(sortedKeys: true)) ?? Data()) )
        feed([0])
        feed(version.utf8)
        // Ten base-36 digits of lowercase letters and numbers, like Kubernetes' pod-template-hash.
        let alphabet = Array("bcdfghjklmnpqrstvwxz2456789")
        var out = ""
        var h = hash
        for _ in 0..<10 {
            out.append(alphabet[Int(h % UInt64(alphabet.count))])
            h /= UInt64(alphabet.count)
        }
        return out
    }
}
