// The municipal budget model: accounting identities worked by hand, vangnet, shocks,
// compensation and determinism.
#include <gtest/gtest.h>

#include <cmath>

#include "gemfin/error.hpp"
#include "gemfin/projection.hpp"
#include "models.hpp"

using namespace gemfin;
using gemfin::testing::budget_model;


TEST(Budget, AccountingIdentityWorkedByHand) {
    // Year 1, no volatility: prices ×1.02, costs ×1.02, AU = 1000 each, SIUDU 30, volumes 1.
    // baten = 1000 + 30 + 50·1 (OZB, no WOZ driver: grows with prices → 51) ... see below.
    auto m = budget_model(0.0);
    SimulationOptions o;
    o.paths = 8;
    const auto r = simulate(m, o);
    ASSERT_TRUE(r.municipal_budget.has_value());
    const auto& b = *r.municipal_budget;
    // Year t (1-based): price p = 1.02^t. baten = AU 1000 + SIUDU 30 + OZB 50p + taxes 10p +
    // other 40p + BUIG budget 200p; lasten = 4 domains × 100p + BUIG spending 200p.
    // saldo = 1030 + 300p − 600p = 1030 − 300p.
    double reserves = 500.0;
    for (int t = 1; t <= 3; ++t) {
        const double p = std::pow(1.02, t);
        const double saldo = 1030.0 - 300.0 * p;
        reserves += saldo;
        const auto cell = static_cast<std::size_t>(t - 1);  // municipality 0
        EXPECT_NEAR(b.saldo.mean[cell], saldo, 1e-9) << t;
        EXPECT_NEAR(b.reserves_mean[cell], reserves, 1e-9) << t;
        EXPECT_EQ(b.p_deficit[cell], 0.0);
        EXPECT_EQ(b.p_exhausted[cell], 0.0);
    }
}

TEST(Budget, CostsCanFollowTheFundsDeflatorWithAWedge) {
    // One price process: the fund's GDP deflator 1.5% a year (no real growth), costs and prices
    // the deflator + a wedge of 0.5 points: p = 1.02^t, the fund and AU f = 1.015^t.
    auto m = budget_model(0.0);
    m.fund.rule = FundRule::Gdp;
    m.fund.growth = MacroProcess{0.0, 0.0, 0.0, Distribution::normal(0.0, 0.0)};
    m.fund.price = MacroProcess{0.015, 0.0, 0.015, Distribution::normal(0.0, 0.0)};
    m.budget->wage_price = MacroProcess{0.1, 0.5, 0.3, Distribution::normal(0.0, 0.05)};  // not used
    m.budget->wage_price_follows_fund = true;
    m.budget->wage_price_wedge = 0.005;
    const std::size_t K = m.macro_shocks();
    m.correlation = RowMatrix::Identity(static_cast<Eigen::Index>(K), static_cast<Eigen::Index>(K));
    m.correlation_names = m.macro_shock_names();
    SimulationOptions o;
    o.paths = 8;
    const auto r = simulate(m, o);
    for (int t = 1; t <= 3; ++t) {  // as AccountingIdentityWorkedByHand, the fund side growing by f
        const double p = std::pow(1.02, t), f = std::pow(1.015, t);
        EXPECT_NEAR(r.municipal_budget->saldo.mean[static_cast<std::size_t>(t - 1)], 1030.0 * f - 300.0 * p, 1e-9) << t;
    }
    m.fund.rule = FundRule::Ngru;  // no deflator to follow
    m.correlation = RowMatrix::Identity(static_cast<Eigen::Index>(m.macro_shocks()), static_cast<Eigen::Index>(m.macro_shocks()));
    m.correlation_names = m.macro_shock_names();
    try {
        simulate(m, o);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("budget.wage_price: follows the fund's price"), std::string::npos) << e.what();
    }
}

TEST(Budget, CompensationEntersTheSaldoEuroForEuro) {
    auto m = budget_model(1.0);
    SimulationOptions o;
    o.paths = 500;
    const auto base = simulate(m, o);
    m.budget->compensation(1, 0) = 123.0;  // municipality 1, first year
    const auto comp = simulate(m, o);
    const auto& a = *base.municipal_budget;
    const auto& c = *comp.municipal_budget;
    EXPECT_NEAR(c.saldo.mean[3] - a.saldo.mean[3], 123.0, 1e-9);      // row 1, year 0 → cell 1·3 + 0
    EXPECT_NEAR(c.reserves_mean[5] - a.reserves_mean[5], 123.0, 1e-9);  // carried to the last year
    EXPECT_NEAR(c.net_shock[3] - a.net_shock[3], -123.0, 1e-12);
    EXPECT_EQ(c.saldo.mean[0], a.saldo.mean[0]);  // other municipalities unchanged
}

TEST(Budget, VangnetCapsTheBuigDeficit) {
    // Municipal BUIG spending 30% above its budget (bijstand level 1.3 via the error): the
    // vangnet pays half of 7.5–12.5% and all above 12.5%: 0.5·5% + 17.5% = 20% of the budget.
    auto m = budget_model(0.0);
    m.budget->error_mu[2] = std::log(1.3);  // Participatie error also scales BUIG spending
    m.budget->lasten0[2] = Vector::Zero(3);
    SimulationOptions o;
    o.paths = 4;
    const auto r = simulate(m, o);
    const double p = 1.02;
    const double budget = 200.0 * p, spend = 200.0 * p * 1.3;
    const double vangnet = budget * (0.5 * 0.05 + 0.175);
    const double saldo = 1000.0 + 30.0 + 100.0 * p - 300.0 * p + budget - spend + vangnet;
    EXPECT_NEAR(r.municipal_budget->saldo.mean[0], saldo, 1e-6);
}

TEST(Budget, ShockRaisesTheProbabilityOfDeficit) {
    auto m = budget_model(1.0);
    for (std::size_t g = 0; g < 3; ++g) m.budget->lasten0[0][static_cast<Eigen::Index>(g)] = 800.0;  // near balance
    SimulationOptions o;
    o.paths = 2000;
    const auto base = simulate(m, o);
    m.budget->shocks.push_back({"pandemic", 1, ShockTarget::OtherBaten, Distribution::make("uniform", {0.2, 0.4}), 0.1});
    const std::size_t K = m.macro_shocks();
    m.correlation = RowMatrix::Identity(static_cast<Eigen::Index>(K), static_cast<Eigen::Index>(K));
    m.correlation_names.push_back("shock.pandemic");
    const auto shocked = simulate(m, o);
    const auto cell = 1;  // municipality 0, year 2
    EXPECT_GT(shocked.municipal_budget->p_deficit[cell], base.municipal_budget->p_deficit[cell] + 0.05);
    EXPECT_GT(shocked.municipal_budget->net_shock[cell], 0.0);
    EXPECT_EQ(shocked.municipal_budget->net_shock[0], 0.0);  // no shock in year 1
}

TEST(Budget, ArtikelTwelveWeighsTheDeficitAgainstTaxCapacityAuAndSiudu) {
    // OZB verevening −100 per municipality: UF = (3000 + 300)/3000 = 1.1, AU = 1100 − 100 = 1000.
    // Capacity = AU 1000 + SIUDU 30 + tax capacity 100 = 1130; 2% of it = 22.6. (Own taxes plus
    // AU, the earlier definition, gave 1000 + 51 + 10.2 = 1061.2, 2% = 21.2.)
    auto m = budget_model(0.0);
    for (int g = 0; g < 3; ++g) m.c_ozb(g, 2) = -100.0;
    // Year 1 deficit 22.0: (300 + X)·1.02 = 1052 → X = 1052/1.02 − 300.
    const double extra = 1052.0 / 1.02 - 300.0;
    for (std::size_t g = 0; g < 3; ++g) m.budget->lasten0[0][static_cast<Eigen::Index>(g)] = 100.0 + extra;
    SimulationOptions o;
    o.paths = 4;
    const auto r = simulate(m, o);
    const auto& b = *r.municipal_budget;
    EXPECT_NEAR(b.saldo.mean[0], -22.0, 1e-9);
    // Without a response a structural deficit is expected to stay: year 1's 22.0 is below 22.6,
    // years 2 (≈ 43.0) and 3 are above it.
    EXPECT_EQ(b.p_art12[0], 0.0);
    EXPECT_EQ(b.p_art12[1], 1.0);
    EXPECT_EQ(b.p_art12[2], 1.0);
    // A structural balance point 5% of the lasten below zero (the base begroting's structural
    // room): structural saldo = saldo + 0.05 · L with L = (500 + lasten0[0]) · 1.02^t ≈ 1571
    // in year 2, so −43.0 + 78.6 > −22.6: no signal.
    m.budget->balance = Vector::Constant(3, -0.05);
    const auto shifted = simulate(m, o);
    for (int t = 0; t < 3; ++t) {
        const double p = std::pow(1.02, t + 1);
        const double lasten = 500.0 * p + (100.0 + extra) * p;
        const double structural = shifted.municipal_budget->saldo.mean[static_cast<std::size_t>(t)] + 0.05 * lasten;
        EXPECT_EQ(shifted.municipal_budget->p_art12[static_cast<std::size_t>(t)], structural <= -22.6 ? 1.0 : 0.0) << t;
    }
    EXPECT_EQ(shifted.municipal_budget->p_art12[1], 0.0);
}

TEST(Budget, ResponseClosesTheGapAtItsSpeedWithinItsLimit) {
    // Planned saldo under unchanged policy in year t: 1030 − 300p, p = 1.02^t, lasten L = 600p.
    // The rule: R_t = R_t−1 · 1.02 + clamp(speed · (target · L − planned − R_t−1 · 1.02), ±max_step · L).
    for (const double max_step : {10.0, 0.1}) {
        auto m = budget_model(0.0);
        m.budget->response = Response{Vector::Constant(3, -0.01), 0.5, max_step};
        SimulationOptions o;
        o.paths = 4;
        const auto r = simulate(m, o);
        const auto& b = *r.municipal_budget;
        ASSERT_EQ(b.response_mean.size(), 9u);
        double measures = 0.0;
        for (int t = 1; t <= 3; ++t) {
            const double p = std::pow(1.02, t), lasten = 600.0 * p, planned = 1030.0 - 300.0 * p;
            const double kept = measures * 1.02;
            const double step = std::min(std::max(0.5 * (-0.01 * lasten - planned - kept), -max_step * lasten),
                                         max_step * lasten);
            measures = kept + step;
            const auto cell = static_cast<std::size_t>(t - 1);
            EXPECT_NEAR(b.response_mean[cell], measures, 1e-9) << t << " " << max_step;
            EXPECT_NEAR(b.saldo.mean[cell], planned + measures, 1e-9) << t << " " << max_step;
        }
    }
    // Without a response the model reports no measures.
    EXPECT_TRUE(simulate(budget_model(0.0), SimulationOptions{}).municipal_budget->response_mean.empty());
}

TEST(Budget, ResponseWeighsTheArtikelTwelveOutlook) {
    // A structural deficit of 43 in year 2 (ArtikelTwelve… above): with a response that closes
    // half the gap to balance a year, 1 − 0.5³ = 87.5% of it is expected closed three years on
    // (43 · 0.125 ≈ 5.4 < 22.6): no signal. Closing nothing (speed 0) leaves the signal.
    for (const double speed : {0.5, 0.0}) {
        auto m = budget_model(0.0);
        for (int g = 0; g < 3; ++g) m.c_ozb(g, 2) = -100.0;
        const double extra = 1052.0 / 1.02 - 300.0;
        for (std::size_t g = 0; g < 3; ++g) m.budget->lasten0[0][static_cast<Eigen::Index>(g)] = 100.0 + extra;
        m.budget->response = Response{Vector::Zero(3), speed, 10.0};
        SimulationOptions o;
        o.paths = 4;
        const auto r = simulate(m, o);
        const auto& b = *r.municipal_budget;
        if (speed == 0.0) {
            EXPECT_EQ(b.p_art12[1], 1.0);
            EXPECT_EQ(b.p_art12[2], 1.0);
        } else {
            EXPECT_EQ(b.p_art12[1], 0.0);
            EXPECT_EQ(b.p_art12[2], 0.0);
        }
    }
}

TEST(Budget, OtherRevenueFollowsItsVolumeDriver) {
    // inwoners grows 1% a year (log growth, no dispersion): level exp(0.01 t). With the revenue
    // volume driver on inwoners, other taxes (10) and other baten (40) are 50 · p · exp(0.01 t)
    // instead of 50 · p; nothing else changes.
    auto m = budget_model(0.0);
    m.drivers[0].national = Distribution::fixed(0.01);
    SimulationOptions o;
    o.paths = 4;
    const auto prices = simulate(m, o);
    m.budget->revenue_volume_driver = 0;
    const auto volume = simulate(m, o);
    for (int t = 1; t <= 3; ++t) {
        const auto cell = static_cast<std::size_t>(t - 1);
        const double p = std::pow(1.02, t);
        EXPECT_NEAR(volume.municipal_budget->saldo.mean[cell] - prices.municipal_budget->saldo.mean[cell],
                    50.0 * p * (std::exp(0.01 * t) - 1.0), 1e-9) << t;
    }
    m.budget->revenue_volume_driver = 2;  // the model has two drivers
    EXPECT_THROW(simulate(m, o), InputError);
}

TEST(Budget, SuppletieIsPartOfThePlannedSaldo) {
    // A suppletie of 25 in year 2 for municipality 1 raises its saldo by 25 and, with a response
    // that closes the whole gap to a target of 0, is met by measures 25 lower.
    auto m = budget_model(0.0);
    SimulationOptions o;
    o.paths = 4;
    const auto base = simulate(m, o);
    m.budget->suppletie = RowMatrix::Zero(3, 3);
    m.budget->suppletie(1, 1) = 25.0;
    const auto with = simulate(m, o);
    EXPECT_NEAR(with.municipal_budget->saldo.mean[4] - base.municipal_budget->saldo.mean[4], 25.0, 1e-9);  // row 1, year 1
    EXPECT_EQ(with.municipal_budget->saldo.mean[3], base.municipal_budget->saldo.mean[3]);                  // year 0
    m.budget->response = Response{Vector::Zero(3), 1.0, 10.0};
    auto without_suppletie = m;
    without_suppletie.budget->suppletie = RowMatrix::Zero(3, 3);
    const auto r0 = simulate(without_suppletie, o), r1 = simulate(m, o);
    EXPECT_NEAR(r1.municipal_budget->response_mean[4] - r0.municipal_budget->response_mean[4], -25.0, 1e-9);
    m.budget->suppletie = RowMatrix::Zero(3, 2);
    EXPECT_THROW(simulate(m, o), InputError);
}

TEST(Budget, ExcessGrowthFadesAtItsPersistence) {
    // Domain 0's excess is 5% a year (fixed); with persistence 0.5 it is 2.5% in year 1 and
    // 1.25% in year 2. saldo = 1030 − 300p − 100·C + 100p with C = Π (1.02 + excess_k).
    for (const double psi : {1.0, 0.5}) {
        auto m = budget_model(0.0);
        m.budget->excess[0] = Distribution::fixed(0.05);
        m.budget->excess_persistence[0] = psi;
        SimulationOptions o;
        o.paths = 4;
        const auto r = simulate(m, o);
        double cost = 1.0, fade = 1.0;
        for (int t = 1; t <= 3; ++t) {
            fade *= psi;
            cost *= 1.02 + (psi == 1.0 ? 0.05 : 0.05 * fade);
            const double p = std::pow(1.02, t);
            EXPECT_NEAR(r.municipal_budget->saldo.mean[static_cast<std::size_t>(t - 1)],
                        1030.0 - 300.0 * p - 100.0 * cost + 100.0 * p, 1e-9) << psi << " " << t;
        }
    }
}

TEST(Budget, ATaskRaisesItsDomainsCostsFromItsYear) {
    // EUR 30 for a task of domain 1 in year index 1, three municipalities with 100 each: last
    // year's national lasten of the domain are 3 · 100 · 1.02 = 306, so its cost index grows
    // 1.02 + 30/306 that year and each municipality's lasten rise by 100 · 1.02 · 30/306 = 10,
    // growing with prices (1.02) after; the lasten output is the four domains and the BUIG spending.
    auto m = budget_model(0.0);
    m.budget->tasks = RowMatrix::Zero(4, 3);
    m.budget->tasks(1, 1) = 30.0;
    SimulationOptions o;
    o.paths = 4;
    const auto r = simulate(m, o);
    for (int t = 1; t <= 3; ++t) {
        const double p = std::pow(1.02, t);
        const double task = t >= 2 ? 10.0 * std::pow(1.02, t - 2) : 0.0;
        const auto cell = static_cast<std::size_t>(t - 1);  // municipality 0
        EXPECT_NEAR(r.municipal_budget->saldo.mean[cell], 1030.0 - 300.0 * p - task, 1e-9) << t;
        EXPECT_NEAR(r.municipal_budget->lasten_mean[cell], 600.0 * p + task, 1e-9) << t;
        // National per domain (three municipalities; Participatie with the BUIG spending of 200 each).
        const auto& nat = r.municipal_budget->lasten_domains_mean;
        EXPECT_NEAR(nat[0 * 3 + cell], 300.0 * p, 1e-9) << t;
        EXPECT_NEAR(nat[1 * 3 + cell], 300.0 * p + 3.0 * task, 1e-9) << t;
        EXPECT_NEAR(nat[2 * 3 + cell], 900.0 * p, 1e-9) << t;
    }
    m.budget->tasks = RowMatrix::Zero(4, 2);
    EXPECT_THROW(simulate(m, o), InputError);
    m.budget->tasks = RowMatrix::Zero(4, 3);
    m.budget->tasks(2, 0) = -300.0;  // all of domain 2's base lasten
    try {
        simulate(m, o);
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("budget.tasks: a task takes away all of the lasten.Participatie"), std::string::npos)
            << e.what();
    }
}

TEST(Budget, BitwiseIdenticalForAnyThreadCount) {
    const auto m = budget_model(1.0);
    SimulationOptions o;
    o.paths = 3000;
    o.block_size = 256;
    o.threads = 1;
    const auto a = simulate(m, o);
    o.threads = 4;
    const auto b = simulate(m, o);
    EXPECT_EQ(a.municipal_budget->saldo.mean, b.municipal_budget->saldo.mean);
    EXPECT_TRUE(a.municipal_budget->saldo.quantiles == b.municipal_budget->saldo.quantiles);
    EXPECT_EQ(a.municipal_budget->p_exhausted, b.municipal_budget->p_exhausted);
    EXPECT_EQ(a.municipal_budget->share_deficit.mean, b.municipal_budget->share_deficit.mean);
}

TEST(Budget, InvalidInputsNameTheField) {
    auto m = budget_model(0.0);
    m.budget->reserves0 = Vector::Constant(2, 1.0);
    try {
        simulate(m, SimulationOptions{});
        FAIL();
    } catch (const InputError& e) {
        EXPECT_NE(std::string(e.what()).find("budget.reserves: 2 values, expected one per municipality (3)"), std::string::npos)
            << e.what();
    }
}

TEST(Budget, SocialClusterBalanceWorkedByHand) {
    // No volatility: UF 1 every year (budget 3000 over a basis of 3000), prices and costs ×1.02
    // a year, driver levels 1. Jeugd: UF·(200 fixed + 100 on driver 0) + IU/DU 10 − netto
    // lasten 250·p; Wmo all zero; Participatie: UF·50 − 80·p.
    auto m = budget_model(0.3);
    SimulationOptions o;
    o.paths = 64;
    const SimulationOutput plain = simulate(m, o);
    auto m0 = budget_model(0.0);
    const Eigen::Index G = 3, D = 2;
    ClusterBalance cb{RowMatrix::Zero(3 * D, G), RowMatrix::Zero(3, G), RowMatrix::Zero(3, G), RowMatrix::Zero(3, G)};
    cb.fixed.row(0).setConstant(200.0);
    cb.basis.row(0 * D + 0).setConstant(100.0);
    cb.siudu.row(0).setConstant(10.0);
    cb.netto0.row(0).setConstant(250.0);
    cb.fixed.row(2).setConstant(50.0);
    cb.netto0.row(2).setConstant(80.0);
    m0.budget->cluster_balance = cb;
    const auto r = simulate(m0, o);
    const auto& b = *r.municipal_budget;
    ASSERT_EQ(b.cluster_balance.size(), kSocialClusters);
    for (int t = 1; t <= 3; ++t) {
        const double p = std::pow(1.02, t);
        const auto cell = static_cast<std::size_t>(t - 1);  // municipality 0
        EXPECT_NEAR(b.cluster_balance[0].mean[cell], 310.0 - 250.0 * p, 1e-9) << t;
        EXPECT_EQ(b.cluster_balance[1].mean[cell], 0.0);
        EXPECT_NEAR(b.cluster_balance[2].mean[cell], 50.0 - 80.0 * p, 1e-9) << t;
        EXPECT_NEAR(b.cluster_balance_national[0].mean[cell], 3.0 * (310.0 - 250.0 * p), 1e-9) << t;
        EXPECT_EQ(b.cluster_p_short[2][cell], 1.0);  // 50 − 80p < 0 on every path
        EXPECT_EQ(b.cluster_p_short[0][cell], 0.0);
    }
    // With volatility, following the balance moves no other output by a bit.
    EXPECT_TRUE(plain.municipal_budget->cluster_balance.empty());
    m.budget->cluster_balance = cb;
    const auto with = simulate(m, o);
    EXPECT_EQ(with.municipal_budget->saldo.mean, plain.municipal_budget->saldo.mean);
    EXPECT_EQ(with.municipal_budget->saldo.quantiles, plain.municipal_budget->saldo.quantiles);
    EXPECT_EQ(with.au.mean, plain.au.mean);
    EXPECT_GT(with.municipal_budget->cluster_balance[0].sd[0], 0.0);
    m.budget->cluster_balance->netto0 = RowMatrix::Zero(2, G);
    EXPECT_THROW(simulate(m, o), InputError);
}

TEST(Budget, PlannedSaldoLeavesOutCompensationAndRealisation) {
    auto m = budget_model(1.0);
    SimulationOptions o;
    o.paths = 300;
    const auto plain = simulate(m, o);
    const auto& a = *plain.municipal_budget;
    // Without compensation, shock events and realisation the plan is the saldo, bit for bit.
    EXPECT_EQ(a.planned_saldo.mean, a.saldo.mean);
    EXPECT_EQ(a.p_planned_deficit, a.p_deficit);
    // Compensation is paid into the saldo, not budgeted in the plan.
    m.budget->compensation(1, 0) = 123.0;
    const auto comp = simulate(m, o);
    EXPECT_NEAR(comp.municipal_budget->saldo.mean[3] - a.saldo.mean[3], 123.0, 1e-9);
    EXPECT_NEAR(comp.municipal_budget->planned_saldo.mean[3], a.planned_saldo.mean[3], 1e-9);
    // The realisation step turns the plan into a result: saldo = plan + lasten × the gap.
    m.budget->compensation(1, 0) = 0.0;
    m.budget->realisation = Realisation{Vector::Zero(3), Distribution::fixed(0.01), Distribution::fixed(0.0),
                                        Vector::Ones(3), {}};
    const std::size_t K = m.macro_shocks();
    m.correlation = RowMatrix::Identity(static_cast<Eigen::Index>(K), static_cast<Eigen::Index>(K));
    m.correlation_names = m.macro_shock_names();
    const auto real = simulate(m, o);
    const auto& r = *real.municipal_budget;
    for (std::size_t cell = 0; cell < a.saldo.mean.size(); ++cell) {
        EXPECT_NEAR(r.planned_saldo.mean[cell], a.planned_saldo.mean[cell], 1e-6 * std::fabs(a.planned_saldo.mean[cell]));
        EXPECT_GT(r.saldo.mean[cell], r.planned_saldo.mean[cell]);  // +1% of the lasten
    }
}
