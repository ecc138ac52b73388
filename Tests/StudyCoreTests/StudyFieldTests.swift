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
        #expect(StudyField.mainSettings == [.lambda1, .lambda2, .beta1, .beta2, .subjects])
        #expect(StudyField.compared == [.lambda1, .lambda2, .beta1, .beta2, .run, .fold, .subjects])
        #expect(StudyField.maskFields.map(\.name) == [
            "id", "sha256", "study", "fold", "run", "model", "lambda1", "lambda2", "beta1", "beta2", "subjects",
            "semantics", "atlas",
        ])
        #expect(StudyField.modelFields.map(\.name) == ["id", "study", "fold", "run", "model", "architecture"])
        #expect(StudyField.semantics.role == .convention)
        #expect(StudyField.parameter("x").isCompared && !StudyField.atlas.isCompared && !StudyField.study.isCompared)
    }

    @Test func fieldsSortByName() {
        #expect([StudyField.subjects, .fold, .parameter("a"), .beta1].sorted() == [.beta1, .fold, .parameter("a"), .subjects])
    }
}
