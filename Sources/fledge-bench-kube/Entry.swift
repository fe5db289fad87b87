@main struct BenchKube { static func main() {} }
