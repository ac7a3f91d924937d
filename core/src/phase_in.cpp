#include "gemfin/phase_in.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "gemfin/error.hpp"

namespace gemfin {

RowMatrix phase_in(const VectorCRef& effect, const VectorCRef& inhabitants,
                   const std::vector<double>& cumulative_caps) {
    const Eigen::Index g_count = effect.size();
    if (inhabitants.size() != g_count) {
        std::ostringstream os;
        os << "phase_in: " << g_count << " effects but " << inhabitants.size()
           << " inhabitant counts; expected one per municipality";
        throw InputError(os.str());
    }
    for (Eigen::Index g = 0; g < g_count; ++g) {
        if (!std::isfinite(effect[g])) {
            std::ostringstream os;
            os << "phase_in: effect of municipality row " << g << " is not finite";
            throw InputError(os.str());
        }
        if (!std::isfinite(inhabitants[g]) || inhabitants[g] <= 0.0) {
            std::ostringstream os;
            os << "phase_in: inhabitants of municipality row " << g << " is " << inhabitants[g]
               << "; expected a positive number";
            throw InputError(os.str());
        }
    }
    double previous = 0.0;
    for (std::size_t t = 0; t < cumulative_caps.size(); ++t) {
        const double cap = cumulative_caps[t];
        if (!std::isfinite(cap) || cap < previous) {
            std::ostringstream os;
            os << "phase_in: cumulative cap for year index " << t << " is " << cap
               << "; expected a finite, non-negative and non-decreasing cap per inhabitant";
            throw InputError(os.str());
        }
        previous = cap;
    }

    RowMatrix allowed(g_count, static_cast<Eigen::Index>(cumulative_caps.size()));
    for (Eigen::Index g = 0; g < g_count; ++g) {
        for (std::size_t t = 0; t < cumulative_caps.size(); ++t) {
            const double limit = cumulative_caps[t] * inhabitants[g];
            allowed(g, static_cast<Eigen::Index>(t)) = std::clamp(effect[g], -limit, limit);
        }
    }
    return allowed;
}

}  // namespace gemfin
