import Store
import StudyCore

/// Which study a command works on: analyses never pool studies silently.
public enum StudyScope {
    /// The study `named` (which must exist), else the database's only one; nil when the
    /// database has no study yet. Several studies and none named is an error that lists them.
    public static func study(in store: any StudyStore, named: String?) throws -> String? {
        let studies = try store.studyNames()
        if let named {
            guard studies.contains(named) else { throw StudyError.unknownStudy(name: named, location: store.location, known: studies) }
            return named
        }
        guard studies.count <= 1 else { throw StudyError.severalStudies(names: studies) }
        return studies.first
    }

    /// `filter` within the study `study(in:named:)` picks (unchanged when there is none yet).
    public static func filter(_ filter: FilterExpression, in store: any StudyStore, named: String?) throws -> FilterExpression {
        guard let study = try study(in: store, named: named) else { return filter }
        let own = FilterExpression.equal(.study, .text(study))
        return filter == .all ? own : .and([own, filter])
    }
}
