// The model's fingerprint: the same for equal models, different when any part differs.
#include <gtest/gtest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "gemfin/fingerprint.hpp"
#include "models.hpp"

using namespace gemfin;

TEST(Fingerprint, EqualModelsGiveEqualDigests) {
    const ProjectionModel a = gemfin::testing::budget_model(1.0), b = gemfin::testing::budget_model(1.0);
    const std::string d = fingerprint(a);
    EXPECT_EQ(d.size(), 32u);
    EXPECT_EQ(d.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_EQ(d, fingerprint(b));
    EXPECT_EQ(d, fingerprint(ProjectionModel(a)));
}

TEST(Fingerprint, EveryKindOfFieldCounts) {
    using Change = std::function<void(ProjectionModel&)>;
    const std::vector<std::pair<const char*, Change>> changes = {
        {"a coefficient", [](ProjectionModel& m) { m.c_basis(1, 2) += 1e-9; }},
        {"an OZB coefficient", [](ProjectionModel& m) { m.c_ozb(0, 0) = 1.0; }},
        {"the horizon", [](ProjectionModel& m) { m.years = 4; m.fund.policy_mutations.push_back(0.0); }},
        {"a driver's name", [](ProjectionModel& m) { m.drivers[0].name = "inwoners2"; }},
        {"a driver's distribution", [](ProjectionModel& m) { m.drivers[1].national = Distribution::normal(0.0, 0.06); }},
        {"a distribution's kind, same mean",
         [](ProjectionModel& m) { m.drivers[1].national = Distribution::make("uniform", {-0.05, 0.05}); }},
        {"the averaging years", [](ProjectionModel& m) { m.drivers[0].average_years = 2; }},
        {"the fund's base budget", [](ProjectionModel& m) { m.fund.budget0 = 3001.0; }},
        {"a policy mutation", [](ProjectionModel& m) { m.fund.policy_mutations[2] = -1.0; }},
        {"the fund rule", [](ProjectionModel& m) { m.fund.rule = FundRule::Gdp; }},
        {"a base lasten", [](ProjectionModel& m) { m.budget->lasten0[3](2) = 101.0; }},
        {"the reserves", [](ProjectionModel& m) { m.budget->reserves0(0) = 0.0; }},
        {"a volume weight", [](ProjectionModel& m) { m.budget->volume_weights(3, 1) = 0.5; }},
        {"the bijstand driver", [](ProjectionModel& m) { m.budget->bijstand_driver = 0; }},
        {"a realisation model",
         [](ProjectionModel& m) { m.budget->realisation = Realisation{Vector::Zero(3), Distribution::fixed(0.0),
                                                                      Distribution::fixed(0.0), Vector::Ones(3), {}}; }},
        {"a response", [](ProjectionModel& m) { m.budget->response = Response{Vector::Zero(3), 0.5, 0.01}; }},
        {"no budget model", [](ProjectionModel& m) { m.budget.reset(); }},
        {"the base year first", [](ProjectionModel& m) { m.base_year_first = true; }},
    };
    std::set<std::string> seen{fingerprint(gemfin::testing::budget_model(1.0))};
    for (const auto& [what, change] : changes) {
        ProjectionModel m = gemfin::testing::budget_model(1.0);
        change(m);
        EXPECT_TRUE(seen.insert(fingerprint(m)).second) << what << " left the digest unchanged";
    }
}

TEST(Fingerprint, ShapeCountsNotOnlyValues) {
    // The same six zeros as 3 × 2 and 2 × 3 are different models.
    ProjectionModel a = gemfin::testing::budget_model(1.0), b = gemfin::testing::budget_model(1.0);
    a.budget->compensation = RowMatrix::Zero(3, 2);
    b.budget->compensation = RowMatrix::Zero(2, 3);
    EXPECT_NE(fingerprint(a), fingerprint(b));
}
