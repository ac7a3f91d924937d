// Bindings for the Monte Carlo projection (core/include/gemfin/projection.hpp): the class
// Simulation, whole runs and parts of runs (bytes, for Dask workers). Its model and options
// are the typed classes of model.cpp; a run returns a SimulationOutput.
//
// Everything is converted to C++ before the run (with the GIL). A run then goes on a worker thread
// inside a TBB arena while this thread, without the GIL, waits; every 100 ms it takes the GIL
// briefly to report progress and to check for Ctrl-C (PyErr_CheckSignals). On
// KeyboardInterrupt it sets the cancel flag, joins the worker (≤ one block of paths) and
// re-raises: no Python object is ever touched from a TBB task.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "gemfin/kernels.hpp"
#include "gemfin/error.hpp"
#include "gemfin/projection.hpp"

namespace py = pybind11;

namespace gemfin::bindings {

namespace {

// Runs `work` (which polls `cancel` and counts finished paths in `done`) on a worker thread
// while this thread, without the GIL, reports progress and checks for Ctrl-C every 100 ms; it
// waits on a condition variable, so it returns as soon as the work ends (a sleep would add up
// to 100 ms to every run). A Python exception (KeyboardInterrupt, or one raised by `progress`)
// cancels the work, joins the worker and propagates; a C++ exception from the work propagates
// after the join.
template <class Work>
void run_polled(Work&& work, std::atomic<bool>& cancel, const std::atomic<std::uint64_t>& done,
                const py::object& progress) {
    std::exception_ptr failure;      // from the work (C++)
    std::exception_ptr interrupted;  // from Python
    {
        py::gil_scoped_release release;
        std::mutex mutex;
        std::condition_variable ended;
        bool finished = false;
        std::thread worker([&] {
            try {
                work();
            } catch (...) {
                failure = std::current_exception();
            }
            {
                const std::lock_guard<std::mutex> lock(mutex);
                finished = true;
            }
            ended.notify_one();
        });
        std::uint64_t reported = 0;
        for (;;) {
            {
                std::unique_lock<std::mutex> lock(mutex);
                if (ended.wait_for(lock, std::chrono::milliseconds(100), [&] { return finished; })) break;
            }
            py::gil_scoped_acquire acquire;
            try {
                if (PyErr_CheckSignals() != 0) throw py::error_already_set();
                const std::uint64_t now = done.load();
                if (!progress.is_none() && now != reported) {
                    progress(now);
                    reported = now;
                }
            } catch (...) {
                // Stop the worker (after its current block) before anything propagates: a
                // joinable std::thread must never be destroyed.
                interrupted = std::current_exception();
                cancel.store(true);
                break;
            }
        }
        worker.join();
    }
    if (interrupted) std::rethrow_exception(interrupted);
    if (failure) std::rethrow_exception(failure);
}

}  // namespace

void bind_simulation(py::module_& m) {
    py::class_<Simulation>(m, "Simulation",
                           "One Monte Carlo run, in chunks that may run in other processes; see gemfin.simulate.")
        .def(py::init([](ProjectionModel model, SimulationOptions options) {
                 py::gil_scoped_release release;  // the checks and the correlation factor need no Python
                 gemfin::simd_target();  // a GEMFIN_SIMD this CPU lacks is an InputError now, not in a worker thread
                 return std::make_unique<Simulation>(std::move(model), std::move(options));
             }),
             py::kw_only(), py::arg("model"), py::arg("options"),
             "Checks the whole model (InputError naming the field) and prepares the run.")
        .def_property_readonly("chunks", &Simulation::chunks)
        .def("chunk_paths", &Simulation::chunk_paths, py::arg("chunk"))
        .def(
            "run",
            [](const Simulation& sim, const py::object& progress) {
                std::atomic<bool> cancel{false};
                std::atomic<std::uint64_t> done{0};
                SimulationOutput out;
                run_polled([&] { out = sim.run(&cancel, &done); }, cancel, done, progress);
                if (!progress.is_none()) progress(out.paths_done);
                return out;
            },
            py::arg("progress") = py::none(), "The whole run in this process; returns its statistics.")
        .def(
            "run_chunks",
            [](const Simulation& sim, std::uint64_t begin, std::uint64_t end, const py::object& progress) {
                std::atomic<bool> cancel{false};
                std::atomic<std::uint64_t> done{0};
                std::vector<std::uint8_t> bytes;
                run_polled([&] { bytes = sim.save(sim.run_chunks(begin, end, false, &cancel, &done)); }, cancel, done,
                           progress);
                return py::bytes(reinterpret_cast<const char*>(bytes.data()), bytes.size());
            },
            py::arg("begin"), py::arg("end"), py::arg("progress") = py::none(),
            "Runs chunks [begin, end) and returns the part as bytes (for finalize, possibly in another process).")
        .def(
            "finalize",
            [](const Simulation& sim, const std::vector<py::bytes>& blobs) {
                std::vector<SimulationPart> parts;
                for (const auto& b : blobs) {
                    const std::string_view v = b;  // a view into the bytes object, no copy
                    parts.push_back(sim.load(reinterpret_cast<const std::uint8_t*>(v.data()), v.size()));
                }
                SimulationOutput out;
                {
                    py::gil_scoped_release release;
                    out = sim.finalize(std::move(parts));
                }
                return out;
            },
            py::arg("parts"), "Combines parts (bytes from run_chunks) that cover every chunk, in chunk order.");
}

}  // namespace gemfin::bindings
