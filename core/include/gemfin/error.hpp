#pragma once
// Exceptions of the gemfin core, one class per kind of failure. The bindings register each to
// its Python class in gemfin.errors (bindings/errors.cpp), so Python users see the message as
// a gemfin error, never a crash. The core reads no files: a problem in a data file is caught
// (as gemfin.errors.DataError) in Python before its numbers reach the core.
#include <stdexcept>
#include <string>

namespace gemfin {

/// Bad input to a core function: wrong shape, non-finite value, impossible parameter.
/// The message names the argument (and row/column where relevant) and what was expected.
class InputError : public std::invalid_argument {
public:
    explicit InputError(const std::string& what) : std::invalid_argument(what) {}
};

/// A part of a distributed run (bytes from a worker) that is damaged, truncated, out of order
/// or from another run. Python: gemfin.errors.CorruptPartError.
class CorruptPartError : public InputError {
public:
    explicit CorruptPartError(const std::string& what) : InputError(what) {}
};

/// Parts computed by different code (another gemfin build, or a CPU instruction set that
/// rounds differently): combining them would mix numbers. Not bad input but a mismatch of
/// machines, so a runtime error, as in Python: gemfin.errors.IncompatibleWorkerError derives
/// from RuntimeError (and GemfinError), InputError from ValueError.
class IncompatibleWorkerError : public std::runtime_error {
public:
    explicit IncompatibleWorkerError(const std::string& what) : std::runtime_error(what) {}
};

}  // namespace gemfin
