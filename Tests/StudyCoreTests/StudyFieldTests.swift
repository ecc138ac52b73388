import Testing

@testable import StudyCore

/// The vocabulary: every field's name reads back as the field, and the derived lists
/// are the ones the study's definitions give.
struct StudyFieldTests {
    @Test func everyNameReadsBackAsItsField() {
        for field in StudyField.named + [.parameter("lr"), .parameter("a.b-c_d")] {
            #expect(StudyField(name: field.name) == field)
        }
        #expect(StudyField(name: "params.lr") == .parameter("lr"))
        #expect(StudyField(name: "params.") == nil)
        #expect(StudyField(name: "params.-x") == nil)
        #expect(StudyField(name: "Lambda1") == nil)  // names are case-sensitive
        #expect(StudyField(name: "param.lr") == nil)
    }

    @Test func namesAreUnique() {
        #expect(Set(StudyField.named.map(\.name)).count == StudyField.named.count)
    }

    @Test func labelsUseGreekLettersForTheRegularizers() {
        #expect([StudyField.lambda1, .lambda2, .beta1, .beta2].map(\.label) == ["λ1", "λ2", "β1", "β2"])
        #expect(StudyField.fold.label == "fold")
        #expect(StudyField.parameter("lr").label == "params.lr")
    }

    @Test func derivedLists() {
        // DESIGN: a model is its study, fold, run and name; pairs agree on every setting.
        #expect(StudyField.modelIdentity == [.study, .fold, .run, .model])
        #expect(StudyField.mainSettings == [.lambda1, .lambda2, .beta1, .beta2, .subjects, .kind, .method, .subject])
        #expect(StudyField.compared == [.lambda1, .lambda2, .beta1, .beta2, .kind, .method, .subject, .run, .fold, .subjects])
        #expect(StudyField.maskFields.map(\.name) == [
            "id", "sha256", "study", "fold", "run", "model", "lambda1", "lambda2", "beta1", "beta2", "subjects",
            "semantics", "kind", "method", "subject", "atlas",
        ])
        #expect(StudyField.modelFields.map(\.name) == ["id", "study", "fold", "run", "model", "architecture"])
        #expect(StudyField.semantics.role == .convention)
        // The kind is a setting: a mask and an attribution map never pair unless asked.
        #expect(StudyField.kind.role == .setting && StudyField.method.role == .setting && StudyField.subject.role == .setting)
        #expect(StudyField.parameter("x").isCompared && !StudyField.atlas.isCompared && !StudyField.study.isCompared)
    }

    @Test func fieldsSortByName() {
        #expect([StudyField.subjects, .fold, .parameter("a"), .beta1].sorted() == [.beta1, .fold, .parameter("a"), .subjects])
    }
}

/// Suggestions for misspelt names, with distances worked out by hand.
struct NameSuggestionTests {
    @Test(arguments: [
        ("fodl", "fold"), ("lamda1", "lambda1"), ("beta_1", "beta1"), ("subjets", "subjects"),
        ("semantic", "semantics"), ("Fold", "fold"), ("params.gird", "params.grid"),
    ])
    func slipsFindTheirName(written: String, meant: String) {
        let names = StudyField.maskFields.map(\.name) + ["params.grid", "params.optimizer"]
        #expect(NameSuggestion.closest(to: written, among: names) == meant)
    }

    @Test func farNamesAndKnownNamesGetNone() {
        let names = StudyField.maskFields.map(\.name)
        #expect(NameSuggestion.closest(to: "slurm_job", among: names) == nil)
        #expect(NameSuggestion.closest(to: "fold", among: names) == nil)
        #expect(NameSuggestion.closest(to: "xyz", among: names) == nil)  // 'id' is 3 edits away
        #expect(NameSuggestion.closest(to: "rnu", among: ["run"]) == "run")  // one swap
        #expect(NameSuggestion.closest(to: "rn", among: ["run", "rna"]) == "rna")  // a tie goes to the first sorted
    }

    @Test func editDistances() {
        #expect(NameSuggestion.editDistance("", "abc") == 3)
        #expect(NameSuggestion.editDistance("kitten", "sitting") == 3)
        #expect(NameSuggestion.editDistance("ab", "ba") == 1)
        #expect(NameSuggestion.editDistance("lambda1", "lambda1") == 0)
    }
}
