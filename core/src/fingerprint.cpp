#include "gemfin/fingerprint.hpp"

#include <cstdint>
#include <cstdio>
#include <cstring>

namespace gemfin {
namespace {

std::uint64_t mix(std::uint64_t z) {  // the splitmix64 finaliser
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

class Digest {
public:
    void word(std::uint64_t w) {
        a_ = mix(a_ ^ w) + 0x9e3779b97f4a7c15ull;
        b_ = mix(b_ + w * 0xd6e8feb86659fd93ull) ^ (b_ >> 17);
    }
    void real(double x) {
        std::uint64_t w;
        std::memcpy(&w, &x, 8);
        word(w);
    }
    void integer(long long v) { word(static_cast<std::uint64_t>(v)); }
    void text(const std::string& s) {
        word(s.size());
        for (unsigned char c : s) word(c);
    }
    void tag(const char* name) { text(name); }  // a field's name: a value moved to another field differs
    void values(const double* p, std::size_t n) {
        word(n);
        for (std::size_t i = 0; i < n; ++i) real(p[i]);
    }
    void vec(const std::vector<double>& v) { values(v.data(), v.size()); }
    void vec(const Vector& v) { values(v.data(), static_cast<std::size_t>(v.size())); }
    void mat(const RowMatrix& m) {
        word(static_cast<std::uint64_t>(m.rows()));
        values(m.data(), static_cast<std::size_t>(m.size()));
    }
    void dist(const Distribution& d) {
        integer(static_cast<int>(d.kind()));
        vec(d.params());
    }
    void process(const MacroProcess& p) {
        real(p.mean);
        real(p.persistence);
        real(p.start);
        dist(p.shock);
    }
    std::string hex() const {
        char buf[33];
        std::snprintf(buf, sizeof buf, "%016llx%016llx", static_cast<unsigned long long>(a_),
                      static_cast<unsigned long long>(b_));
        return buf;
    }

private:
    std::uint64_t a_ = 0x243f6a8885a308d3ull, b_ = 0x13198a2e03707344ull;
};

void add_budget(Digest& h, const BudgetModel& b) {
    h.tag("lasten0");
    for (const auto& v : b.lasten0) h.vec(v);
    h.tag("revenue0");
    for (const Vector* v : {&b.ozb0, &b.other_taxes0, &b.other_baten0, &b.buig_baten0, &b.buig_lasten0, &b.siudu0,
                            &b.reserves0})
        h.vec(*v);
    h.tag("drivers");
    h.mat(b.volume_weights);
    h.integer(b.bijstand_driver);
    h.integer(b.woz_driver);
    h.integer(b.revenue_volume_driver);
    h.tag("ozb");
    h.real(b.ozb_pass_through);
    h.real(b.ozb_policy_growth);
    h.integer(b.ozb_price_indexed);
    h.tag("wage_price");
    h.process(b.wage_price);
    h.integer(b.wage_price_follows_fund);
    h.real(b.wage_price_wedge);
    h.tag("domains");
    for (std::size_t d = 0; d < kDomains; ++d) {
        h.dist(b.excess[d]);
        h.real(b.excess_persistence[d]);
        h.real(b.error_mu[d]);
        h.real(b.error_sigma[d]);
    }
    h.tag("rules");
    h.real(b.vangnet_threshold);
    h.real(b.vangnet_full);
    h.real(b.vangnet_share);
    h.real(b.art12_threshold);
    h.integer(b.art12_horizon);
    h.vec(b.balance);
    h.tag("shocks");
    h.word(b.shocks.size());
    for (const auto& s : b.shocks) {
        h.text(s.name);
        h.integer(s.year);
        h.integer(static_cast<int>(s.target));
        h.dist(s.fraction);
        h.real(s.municipal_sd);
    }
    h.tag("compensation");
    h.mat(b.compensation);
    h.tag("suppletie");
    h.mat(b.suppletie);
    if (b.tasks.size() != 0) {  // (models without tasks keep their fingerprint)
        h.tag("tasks");
        h.mat(b.tasks);
    }
    h.tag("realisation");
    h.integer(b.realisation.has_value());
    if (b.realisation) {
        h.vec(b.realisation->offset);
        h.dist(b.realisation->year);
        h.dist(b.realisation->residual);
        h.vec(b.realisation->residual_factor);
    }
    h.tag("response");
    h.integer(b.response.has_value());
    if (b.response) {
        h.vec(b.response->target);
        h.real(b.response->speed);
        h.real(b.response->max_step);
    }
    h.tag("cluster_balance");
    h.integer(b.cluster_balance.has_value());
    if (b.cluster_balance) {
        for (const RowMatrix* m : {&b.cluster_balance->basis, &b.cluster_balance->fixed, &b.cluster_balance->siudu,
                                   &b.cluster_balance->netto0})
            h.mat(*m);
    }
}

}  // namespace

std::string fingerprint(const ProjectionModel& m) {
    Digest h;
    h.tag("gemfin projection model");
    h.mat(m.c_basis);
    h.mat(m.c_ozb);
    h.tag("drivers");
    h.word(m.drivers.size());
    for (const auto& d : m.drivers) {
        h.text(d.name);
        h.dist(d.national);
        h.real(d.municipal_sd);
        h.integer(d.average_years);
    }
    h.tag("fund");
    h.integer(static_cast<int>(m.fund.rule));
    h.real(m.fund.budget0);
    h.process(m.fund.growth);
    h.process(m.fund.price);
    h.vec(m.fund.growth_history);
    h.vec(m.fund.policy_mutations);
    h.word(m.fund.periods.size());
    for (auto p : m.fund.periods) h.integer(static_cast<int>(p));
    h.vec(m.fund.published_accres);
    h.vec(m.fund.published_price);
    h.tag("correlation");
    h.mat(m.correlation);
    h.word(m.correlation_names.size());
    for (const auto& n : m.correlation_names) h.text(n);
    h.integer(m.years);
    h.integer(m.base_year_first);
    h.tag("budget");
    h.integer(m.budget.has_value());
    if (m.budget) add_budget(h, *m.budget);
    return h.hex();
}

}  // namespace gemfin
