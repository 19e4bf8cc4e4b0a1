import Foundation
import Testing
@testable import MagnetCore

@Suite struct FileNameTests {
    @Test func namesThatWouldLeaveTheirFolderBecomeOneComponent() {
        #expect(FileName.component("../../../x") == "%2E.%2F..%2F..%2Fx")
        #expect(FileName.component("a/b") == "a%2Fb")
        #expect(FileName.component("..") == "%2E.")
        #expect(FileName.component(".") == "%2E")
        #expect(FileName.component("") == "%00")
        #expect(FileName.component("C:\\x") == "C:%5Cx")
        #expect(FileName.component("tab\there") == "tab%09here")
        // Plain names are kept, dots inside too.
        #expect(FileName.component("layer1.0.conv2") == "layer1.0.conv2")
        #expect(FileName.component("résumé") == "résumé")
    }

    @Test func distinctNamesStayDistinctAndNoneClimbs() {
        let names = ["a/b", "a%2Fb", "a%b", "..", "%2E.", ".hidden", "%2Ehidden", "x", String(repeating: "y", count: 500),
                     String(repeating: "y", count: 499) + "z", String(repeating: "/", count: 300)]
        let components = names.map(FileName.component)
        #expect(Set(components).count == names.count)
        for component in components {
            #expect(!component.contains("/") && component != "." && component != ".." && !component.hasPrefix("."))
            #expect(component.utf8.count <= FileName.maximumBytes)
            // Inside a folder it stays inside.
            let path = URL(fileURLWithPath: "/out").appendingPathComponent(component).standardized.path
            #expect(path.hasPrefix("/out/"))
        }
    }
}
