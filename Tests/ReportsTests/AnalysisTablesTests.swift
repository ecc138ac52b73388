@testable import Analysis
import StudyCore
import Testing

@testable import Reports

struct AnalysisTablesTests {
    @Test func topRegionGroupsReadAllForNoGroupingAndDashForAMissingValue() {
        let region = RankedRegion(label: 4101, name: "Hippocampus_L")
        var rows = [nil, SettingValue.missing, .number(0.5)].map {
            TopRegionRow(group: $0, rank: 1, region: region, inTopK: 2, masks: 3, meanDensity: 0.25, meanRank: 1.5)
        }
        // The interval's columns come last, empty where a row has none.
        rows[2].meanDensityInterval = Interval(lower: 0.125, upper: 0.375)
        let csv = AnalysisTables.topRegions(rows).rendered(as: .csv)
        #expect(csv == """
            group,rank,label,name,in_top_k,masks,mean_density,mean_rank,mean_density_lower,mean_density_upper
            all,1,4101,Hippocampus_L,2,3,0.25,1.5,,
            -,1,4101,Hippocampus_L,2,3,0.25,1.5,,
            0.5,1,4101,Hippocampus_L,2,3,0.25,1.5,0.125,0.375

            """)
    }
}
