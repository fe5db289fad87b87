import FledgeCLI
import Foundation

/// The `kubectl-fledge` executable: all behaviour lives in FledgeCLI.
@main
enum KubectlFledge {
    static func main() async {
        exit(await FledgeCommand.execute(Array(CommandLine.arguments.dropFirst())))
    }
}
