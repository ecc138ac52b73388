import Testing

@testable import Import

/// ClinicaDL's metrics TSVs (both orientations) and JSON files, read as the MAPS import reads them.
struct ClinicaDLMAPSTests {
    @Test func metricsUpTo1_5AreAHeaderAndARowOfValues() throws {
        let metrics = try ClinicaDLMAPS.metrics(tsv: "BA\taccuracy\timage_id\tF1_score\n0.75\t0.8\tx\tnan\n").get()
        // Cells that are no number (an id, nan) are left out.
        #expect(metrics.map { "\($0.name)=\($0.value)" } == ["BA=0.75", "accuracy=0.8"])
    }

    @Test func metricsOf1_6AreTransposedWithTheirIntervals() throws {
        let text = "Metrics\tBA\tsensitivity-0\nValues\t0.75\t0.7\nLower bound CI\t0.6\t0.5\nUpper bound CI\t0.9\t0.8\nSE\t0.05\t0.07\n"
        let metrics = try ClinicaDLMAPS.metrics(tsv: text).get()
        #expect(metrics.map { "\($0.name)=\($0.value)" } == [
            "BA=0.75", "sensitivity-0=0.7", "BA_lower_ci=0.6", "sensitivity-0_lower_ci=0.5", "BA_upper_ci=0.9",
            "sensitivity-0_upper_ci=0.8", "BA_se=0.05", "sensitivity-0_se=0.07",
        ])
    }

    @Test func halfWrittenMetricsAreNamedProblems() {
        for text in ["", "BA\taccuracy\n", "BA\taccuracy\n0.7\n", "Metrics\tBA\n"] {
            guard case .failure(let problem) = ClinicaDLMAPS.metrics(tsv: text) else {
                Issue.record("'\(text)' was read")
                continue
            }
            #expect(problem.message.contains("fully written"), "\(problem.message)")
        }
    }

    @Test func jsonKeepsNumbersAsWrittenAndFlattensNestedKeys() throws {
        let json = try ClinicaDLJSON(parsing: #"{"lr": 1e-05, "n": 3, "ok": true, "none": null, "list": [1, "a"], "d": {"e": {"f": "g\u00e9"}}, "x y": NaN}"#)
        #expect(json.flattened().map { "\($0.name)=\($0.value)" } == ["lr=1e-05", "n=3", "ok=true", #"list=[1,"a"]"#, "d.e.f=gé", "x y=NaN"])
        #expect(ClinicaDLMAPS.parameterName("x y") == "x_y" && ClinicaDLMAPS.parameterName(".a") == "_a")
        #expect(throws: JSONProblem.self) { try ClinicaDLJSON(parsing: #"{"a": 1"#) }
    }
}
