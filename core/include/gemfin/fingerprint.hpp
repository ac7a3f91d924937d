#pragma once
// A digest of everything a projection model holds: every number, array (with its shape), name,
// enum and optional part, in a fixed order. Two processes that built the same model get the
// same digest on every CPU, so a Dask worker can check that its model is the client's before it
// runs. Not a cryptographic hash: it guards against a different build or different data, not
// against an adversary. A field added to a model struct must be added here too.
#include <string>

#include "gemfin/projection.hpp"

namespace gemfin {

/// 32 hex digits (two independent 64-bit lanes).
std::string fingerprint(const ProjectionModel& model);

}  // namespace gemfin
