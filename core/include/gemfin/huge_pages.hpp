#pragma once
// An allocator for the large per-thread arrays of the accumulation: a block's buffered outputs,
// walked with a large stride (one row of 3,420 doubles per path, read column-wise: with 4 kB
// pages every read is a TLB miss), and the histogram counts (tens of MB, tens of thousands of
// page faults to set up with 4 kB pages). On Linux it asks for transparent huge pages (2 MB)
// with madvise, where the system allows it (mode "madvise" or "always"). Small arrays, and
// other systems, use plain operator new.
#include <cstddef>
#include <cstdlib>
#include <new>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace gemfin {

template <class T>
struct HugePageAllocator {
    using value_type = T;
    static constexpr std::size_t kHuge = std::size_t{2} << 20;

    HugePageAllocator() = default;
    template <class U>
    HugePageAllocator(const HugePageAllocator<U>&) noexcept {}

    T* allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
#if defined(__linux__)
        if (bytes >= kHuge) {
            const std::size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
            void* p = std::aligned_alloc(kHuge, rounded);
            if (!p) throw std::bad_alloc();
            madvise(p, rounded, MADV_HUGEPAGE);  // advice only: failure leaves normal pages
            return static_cast<T*>(p);
        }
#endif
        return static_cast<T*>(::operator new(bytes));
    }
    void deallocate(T* p, std::size_t n) noexcept {
#if defined(__linux__)
        if (n * sizeof(T) >= kHuge) {
            std::free(p);
            return;
        }
#endif
        ::operator delete(p);
    }
    template <class U>
    bool operator==(const HugePageAllocator<U>&) const noexcept { return true; }
    template <class U>
    bool operator!=(const HugePageAllocator<U>&) const noexcept { return false; }
};

}  // namespace gemfin
