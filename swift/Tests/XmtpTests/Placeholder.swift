import XCTest
@testable import Xmtp

final class SmokeTests: XCTestCase {
    func testVersion() {
        XCTAssertTrue(Client.libraryVersion.hasPrefix("xmtp-rs/"))
    }
}
