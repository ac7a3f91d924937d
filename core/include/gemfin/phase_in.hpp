#pragma once
// Ingroeiregeling (phase-in) of a herverdeeleffect, Bfv art. 29 and docs/domain.md §2.7.
//
// In phase-in year t the change of a municipality's AU relative to the old distribution is
// clamped to ±cap[t]·inhabitants, where cap[t] is the *cumulative* cap per inhabitant
// (e.g. 15, 30, 45, … for a yearly EUR 15; 7.50, 22.50, 37.50 for the 2023 herijking).
// The difference between the clamped and the full effect is the suppletie, paid outside
// the uitkeringsfactor. The cap is symmetric: gains are deferred as well as losses.
#include <vector>

#include "gemfin/types.hpp"

namespace gemfin {

/// Returns G × T: the effect allowed in each phase-in year.
/// effect: G euros (herverdeeleffect at full implementation); inhabitants: G, positive;
/// cumulative_caps: T euros per inhabitant, non-negative and non-decreasing.
RowMatrix phase_in(const VectorCRef& effect, const VectorCRef& inhabitants,
                   const std::vector<double>& cumulative_caps);

}  // namespace gemfin
