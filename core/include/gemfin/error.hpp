#pragma once
// Exceptions of the gemfin core. The bindings map InputError to gemfin.errors.InputError
// (a ValueError) so Python users see the message, never a crash.
#include <stdexcept>
#include <string>

namespace gemfin {

/// Bad input to a core function: wrong shape, non-finite value, impossible parameter.
/// The message names the argument (and row/column where relevant) and what was expected.
class InputError : public std::invalid_argument {
public:
    explicit InputError(const std::string& what) : std::invalid_argument(what) {}
};

}  // namespace gemfin
