#pragma once
// A minimal binary archive for shipping partial results between processes (Dask workers and
// the client): fixed-width little-endian values, vectors with a length prefix, and LEB128
// varints for histogram counts (mostly small numbers and zeros: one byte each instead of
// four). The reader checks every length against the bytes left and throws InputError
// naming `what` on any mismatch, so a truncated or foreign blob is an error, never a crash.
#include <cstdint>
#include <cstring>
#include <string>
#include <type_traits>
#include <vector>

#include "gemfin/error.hpp"

namespace gemfin {

static_assert(sizeof(double) == 8, "archive: 64-bit IEEE doubles expected");

/// A 64-bit checksum of a byte string (FNV-1a over 8-byte words, then the tail): catches
/// truncation and corruption in transit; not a cryptographic hash.
inline std::uint64_t checksum(const std::uint8_t* data, std::size_t n) {
    std::uint64_t h = 0xcbf29ce484222325ull;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, data + i, 8);
        h = (h ^ w) * 0x100000001b3ull;
        h ^= h >> 29;
    }
    for (; i < n; ++i) h = (h ^ data[i]) * 0x100000001b3ull;
    return h ^ n;
}

class ByteWriter {
public:
    template <class T>
    void put(T v) {
        static_assert(std::is_arithmetic<T>::value, "ByteWriter::put: arithmetic types only");
        const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
        bytes_.insert(bytes_.end(), p, p + sizeof(T));
    }
    template <class T>
    void put_vector(const std::vector<T>& v) {
        put<std::uint64_t>(v.size());
        const auto* p = reinterpret_cast<const std::uint8_t*>(v.data());
        bytes_.insert(bytes_.end(), p, p + v.size() * sizeof(T));
    }
    void put_varint(std::uint64_t v) {
        while (v >= 0x80) {
            bytes_.push_back(static_cast<std::uint8_t>(v | 0x80));
            v >>= 7;
        }
        bytes_.push_back(static_cast<std::uint8_t>(v));
    }
    std::vector<std::uint8_t>& bytes() { return bytes_; }

private:
    std::vector<std::uint8_t> bytes_;
};

class ByteReader {
public:
    ByteReader(const std::uint8_t* data, std::size_t size, std::string what)
        : p_(data), end_(data + size), what_(std::move(what)) {}

    template <class T>
    T get() {
        need(sizeof(T));
        T v;
        std::memcpy(&v, p_, sizeof(T));
        p_ += sizeof(T);
        return v;
    }
    template <class T>
    std::vector<T> get_vector(std::size_t expected) {
        const auto n = get<std::uint64_t>();
        if (n != expected) fail("a vector of " + std::to_string(expected) + " values, found " + std::to_string(n));
        need(n * sizeof(T));
        std::vector<T> v(n);
        if (n) std::memcpy(v.data(), p_, n * sizeof(T));
        p_ += n * sizeof(T);
        return v;
    }
    std::uint64_t get_varint() {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            need(1);
            const std::uint8_t b = *p_++;
            v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        fail("a varint of at most 10 bytes");
    }
    bool done() const { return p_ == end_; }
    [[noreturn]] void fail(const std::string& expected) const {
        throw CorruptPartError(what_ + ": corrupt or incompatible data (expected " + expected + ")");
    }

private:
    void need(std::size_t n) const {
        if (static_cast<std::size_t>(end_ - p_) < n) fail(std::to_string(n) + " more bytes");
    }
    const std::uint8_t* p_;
    const std::uint8_t* end_;
    std::string what_;
};

}  // namespace gemfin
