import ArgumentParser
import Foundation
import MagnetCore
import MagnetStore
import MagnetSweep

extension ExportCommand {
    /// What `--refine` found: each budget's best stored trials mapped again, and the choice among
    /// them by the new figures (docs/sweeps.md, "Refining the choice").
    struct Refinement {
        /// The trials mapped again, by number.
        var refined: [Int: TrialRefiner.Refined] = [:]
        /// Per budget (by slug): the trials compared, best stored first.
        var compared: [String: [Int]] = [:]
        /// Per budget: the choice by the stored figures.
        var storedChoice: [String: Int] = [:]
        /// Per budget: the choice, with its refined metrics unless `fellBack` holds its slug.
        var choices: [String: TrialRecord] = [:]
        /// Budgets where no refined trial still met the budget and the study's constraints, so the
        /// stored choice is exported as stored.
        var fellBack: Set<String> = []
        /// Candidates per layer shape.
        let candidatesPerLayer: Int

        func choice(of budget: Budget) -> TrialRecord? { choices[budget.slug] }

        /// The layer results to export for `budget`'s choice: the refined ones, or `nil` (the stored).
        func layers(of budget: Budget) -> [LayerResultRecord]? {
            guard let trial = choices[budget.slug], !fellBack.contains(budget.slug) else { return nil }
            return refined[trial.number]?.layers
        }

        /// `refinement` in summary.json: the trials compared with their objective as stored and
        /// as mapped again.
        func json(of budget: Budget, objective: String) -> JSONValue {
            guard let trial = choices[budget.slug] else { return .null }
            let stored = refined[trial.number]?.stored.metrics ?? []
            let trials = (compared[budget.slug] ?? []).map { number in
                JSONValue.object([("trial", .int(number)),
                                  ("stored", .optional(refined[number]?.stored.metric(objective))),
                                  ("refined", .optional(refined[number]?.metric(objective)))])
            }
            return .object([
                ("candidates_per_layer", .int(candidatesPerLayer)),
                ("compared", .array(trials)),
                ("stored_choice", .optional(storedChoice[budget.slug])),
                ("refined", .bool(!fellBack.contains(budget.slug))),
                ("stored_metrics", .object(stored.map { ($0.0, .double($0.1)) })),
            ])
        }

        /// The text after a budget's chosen objective value.
        func note(of budget: Budget, objective: String) -> String {
            guard let trial = choices[budget.slug] else { return "" }
            let count = compared[budget.slug]?.count ?? 0
            if fellBack.contains(budget.slug) {
                return " (as stored: none of the \(count) trials mapped again still meets the budget)"
            }
            let stored = refined[trial.number]?.stored.metric(objective).map(Format.number) ?? "?"
            var text = " (stored \(stored); best of \(count) mapped again at "
                + "\(NumberText.grouped(candidatesPerLayer)) candidates per layer"
            if let first = storedChoice[budget.slug], first != trial.number {
                text += "; stored choice: trial \(first)"
            }
            return text + ")"
        }
    }

    /// Maps the best `refineTop` trials of each budget again and chooses among them.
    func refineChoices(view: StudyView, trials: [TrialRecord], goal: ObjectiveSpec,
                       budgets: [Budget]) throws -> Refinement {
        let refiner = try TrialRefiner(view: view, budget: refineBudget,
                                       threads: threads ?? ProcessInfo.processInfo.activeProcessorCount)
        var refinement = Refinement(candidatesPerLayer: refineBudget)
        for budget in budgets {
            var pool: [TrialRecord] = []
            var rest = trials
            while pool.count < refineTop, let next = StudyView.best(rest, objective: goal, within: budget.constraints) {
                pool.append(next)
                rest.removeAll { $0.number == next.number }
            }
            guard let first = pool.first else { continue }
            refinement.compared[budget.slug] = pool.map(\.number)
            refinement.storedChoice[budget.slug] = first.number
            var records: [TrialRecord] = []
            for trial in pool {
                if refinement.refined[trial.number] == nil {
                    let line = "\(budget.label): mapping trial \(trial.number) again "
                        + "(\(NumberText.grouped(refineBudget)) candidates per layer)\n"
                    FileHandle.standardError.write(Data(line.utf8))
                    refinement.refined[trial.number] = try refiner.refine(trial)
                }
                records.append(refinement.refined[trial.number]!.record(constraints: view.constraints))
            }
            if let choice = StudyView.best(records, objective: goal, within: budget.constraints) {
                refinement.choices[budget.slug] = choice
            } else {
                refinement.choices[budget.slug] = first
                refinement.fellBack.insert(budget.slug)
            }
        }
        return refinement
    }
}
