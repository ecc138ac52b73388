@testable import Analysis
import StudyCore
import Testing

@testable import Reports

struct AnalysisTablesTests {
    @Test func topRegionGroupsReadAllForNoGroupingAndDashForAMissingValue() {
        let region = RankedRegion(label: 4101, name: "Hippocampus_L")
        let rows = [nil, SettingValue.missing, .number(0.5)].map {
            TopRegionRow(group: $0, rank: 1, region: region, inTopK: 2, masks: 3, meanDensity: 0.25, meanRank: 1.5)
        }
        let csv = AnalysisTables.topRegions(rows).rendered(as: .csv)
        #expect(csv == """
            group,rank,label,name,in_top_k,masks,mean_density,mean_rank
            all,1,4101,Hippocampus_L,2,3,0.25,1.5
            -,1,4101,Hippocampus_L,2,3,0.25,1.5
            0.5,1,4101,Hippocampus_L,2,3,0.25,1.5

            """)
    }
}
